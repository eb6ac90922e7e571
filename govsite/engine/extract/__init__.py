"""Page facts: what a person reads off one government page (name, codes, footer items,
找错 entry, columns with their newest dates). Entry point: `extract_page(html, url)`."""

from govsite.engine.extract.facts import COLUMN_TYPES, JIUCUO_KINDS, Column, Link, ListItem, PageFacts
from govsite.engine.extract.page import extract_page

__all__ = ["COLUMN_TYPES", "JIUCUO_KINDS", "Column", "Link", "ListItem", "PageFacts", "extract_page"]

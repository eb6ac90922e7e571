"""Page facts: what a person reads off one government page (name, codes, footer items,
找错 entry, columns with their newest dates). Entry point: `extract_page(html, url)`."""

"""Indicators: turn crawl observations into findings with evidence (see rs2015, guideline, availability)."""

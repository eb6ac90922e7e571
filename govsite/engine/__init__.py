"""The checking engine: plain asyncio Python, no web-framework import.

Stages: fetch → crawl → extract (page facts) → indicators (observations with evidence) →
rulesets + scoring → SiteReport. Usable alone through `govsite check` / `govsite extract`."""

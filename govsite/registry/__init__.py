"""The registry of every government website."""

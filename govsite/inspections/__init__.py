"""Campaigns: samples, self-checks, re-verification, review, rectification, accountability."""

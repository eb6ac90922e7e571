"""Roles and scope of console users."""

"""The quarterly notice and its attachments."""

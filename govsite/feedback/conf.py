"""Feedback settings: Django setting `FEEDBACK_<NAME>` if present, else environment variable
`GOVSITE_FEEDBACK_<NAME>`, else the default below. Read at call time so tests can override."""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS: dict[str, int | float | bool] = {
    "HANDLE_WORKDAYS": 3,  # sponsor handles and replies within 3 working days of transfer (rules §4.3)
    "TRANSFER_WORKDAYS": 1,  # national platform transfers within 1 working day
    "DESCRIPTION_MIN": 10,
    "DESCRIPTION_MAX": 2000,
    "CONTACT_MAX": 100,
    "URL_MAX": 1000,
    "UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    "IMAGE_MAX_PIXELS": 40_000_000,
    "RATE_LIMIT_COUNT": 10,  # accepted submissions per IP …
    "RATE_LIMIT_WINDOW": 600,  # … per this many seconds
    "ATTEMPT_LIMIT": 30,  # form posts per IP and window, accepted or not (stops captcha guessing)
    "CAPTCHA_MAX_AGE": 1800,
    "CAPTCHA_TEST_MODE": False,  # accept `test-<nonce>` tokens without an answer (benchmarks only)
    "DUPLICATE_WINDOW_DAYS": 7,
    "DUPLICATE_RATIO": 0.9,
    "FLAG_BELOW": 0.7,  # units with 办结率 below this are named in the notice
}


def get(name: str) -> int | float | bool:
    default = DEFAULTS[name]
    value = getattr(settings, f"FEEDBACK_{name}", None)
    if value is not None:
        return value
    raw = os.environ.get(f"GOVSITE_FEEDBACK_{name}")
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return type(default)(raw)

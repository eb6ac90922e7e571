"""网站标识码 (site identifier code) validation, rules.md §6.1 with the addendum's extension:
10 digits (6-digit division + 4-digit serial), `bm` + 8 digits (State Council departments), or
2 digits + `BM` + 6 digits (local branches of vertically managed systems)."""

import re

from django.core.exceptions import ValidationError

SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8}|\d{2}BM\d{6})$")


def is_site_code(value: str) -> bool:
    return bool(SITE_CODE_RE.match(value or ""))


def validate_site_code(value: str) -> None:
    if not is_site_code(value):
        raise ValidationError(
            "网站标识码格式不正确：应为10位数字、bm加8位数字或2位数字加BM加6位数字", code="invalid_site_code"
        )

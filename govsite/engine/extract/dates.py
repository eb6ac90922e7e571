"""Reading dates the way they are shown on government pages.

Full dates: `2017-11-01`, `2017/11/01`, `2017.11.01`, `2017年11月1日` (optionally followed by a
time). Short dates: `11-01`, `[11-01]`, `11月01日`, whose year is inferred from a reference (the
page's own generation time or the inspection date): the latest year that does not put the date
after the reference, so a December item seen in January belongs to the previous year.
A date that cannot be read (no such day, no reference for a short date) is None, never guessed."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

# A full date anywhere in a string. Separators must agree (2017-11/01 is not a date).
FULL_DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:(-|/|\.)\s*(\d{1,2})\s*\2\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)(?!\d)"
)
SHORT_DATE_RE = re.compile(r"(?<![\d.\-/])(\d{1,2})\s*(?:(-|/|\.)\s*(\d{1,2})|月\s*(\d{1,2})\s*日)(?![\d.\-/])")
_TIME = r"(?:\s*[T ]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
_OPEN = "[\\[(（【〔<《]"
_CLOSE = "[\\])）】〕>》]"
# Labels that may precede a date shown on its own (a person reads them as "this is the date").
DATE_LABELS = (
    "发布时间",
    "发布日期",
    "发文日期",
    "成文日期",
    "印发日期",
    "生成日期",
    "更新时间",
    "更新日期",
    "留言时间",
    "回复时间",
    "提问时间",
    "访谈时间",
    "发稿时间",
    "公开日期",
    "公布日期",
    "日期",
    "时间",
)
PUB_LABELS = ("发布时间", "发布日期", "发文日期", "成文日期", "印发日期", "公开日期", "公布日期", "发稿时间", "日期")
_LABEL_RE = "(?:" + "|".join(DATE_LABELS) + r")\s*[:：]?"
# A text segment that is nothing but a date: what list items show beside their titles.
SEGMENT_FULL_RE = re.compile(
    rf"^\s*(?:{_LABEL_RE})?\s*{_OPEN}?\s*(?P<d>(?:19|20)\d{{2}}\s*(?:[-/.]\s*\d{{1,2}}\s*[-/.]\s*\d{{1,2}}|年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日?)){_TIME}\s*{_CLOSE}?\s*$"
)
SEGMENT_SHORT_RE = re.compile(
    rf"^\s*(?:{_LABEL_RE})?\s*{_OPEN}?\s*(?P<d>\d{{1,2}}\s*(?:[-/.]\s*\d{{1,2}}|月\s*\d{{1,2}}\s*日)){_TIME}\s*{_CLOSE}?\s*$"
)
# A date at the end of a title text: "标题 (2023-01-02)" or "标题 2023-01-02".
TRAILING_RE = re.compile(
    rf"(?:{_OPEN}\s*|\s)(?P<d>(?:19|20)\d{{2}}\s*(?:[-/.]\s*\d{{1,2}}\s*[-/.]\s*\d{{1,2}}|年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日?)){_TIME}\s*{_CLOSE}?\s*$"
)
_ZW = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def _no_zw(text: str) -> str:
    """`text.translate(_ZW)`, which looks every character up in the table: the four
    substring searches cost less and usually find nothing, leaving the text as it is."""
    if "\u200b" in text or "\u200c" in text or "\u200d" in text or "\ufeff" in text:
        return text.translate(_ZW)
    return text


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_full(text: str) -> date | None:
    """The first full date in `text`, or None."""
    m = FULL_DATE_RE.search(_no_zw(text))
    if not m:
        return None
    y = int(m.group(1))
    if m.group(3):
        return _mk(y, int(m.group(3)), int(m.group(4)))
    return _mk(y, int(m.group(5)), int(m.group(6)))


def infer_year(month: int, day: int, reference: date | None) -> date | None:
    """The date month/day in the latest year that is not after `reference`."""
    if reference is None:
        return None
    d = _mk(reference.year, month, day)
    if d is None:  # e.g. 02-29 in a non-leap reference year: try the year before
        d = _mk(reference.year - 1, month, day)
        return d if d and d <= reference else None
    if d > reference:
        d = _mk(reference.year - 1, month, day)
    return d


def parse_short(text: str, reference: date | None) -> date | None:
    m = SHORT_DATE_RE.search(text)
    if not m:
        return None
    month = int(m.group(1))
    day = int(m.group(3) or m.group(4))
    return infer_year(month, day, reference)


def parse_date(text: str, reference: date | None = None) -> date | None:
    """Read one date written in any common form; short forms need `reference` for the year."""
    text = _no_zw(text)
    d = parse_full(text)
    if d is not None or FULL_DATE_RE.search(text):
        return d
    return parse_short(text, reference)


@lru_cache(maxsize=8192)
def segment_date(text: str, reference: date | None) -> tuple[date | None, bool] | None:
    """If `text` is a date shown on its own (optionally labelled/bracketed, with a time),
    return (date or None when unreadable, is_short). Otherwise None.
    Cached: list pages show the same few date strings over and over."""
    if len(text) > 40 or not any(map(str.isdigit, text)):
        return None
    text = _no_zw(text)
    m = SEGMENT_FULL_RE.match(text)
    if m:
        return parse_full(m.group("d")), False
    m = SEGMENT_SHORT_RE.match(text)
    if m:
        return parse_short(m.group("d"), reference), True
    return None


def trailing_date(text: str) -> date | None:
    """A full date written at the end of a longer text (a title followed by its date)."""
    m = TRAILING_RE.search(_no_zw(text))
    return parse_full(m.group("d")) if m else None


_GEN_RE = re.compile(r"(?:页面生成时间|生成时间|生成日期|generated)\s*[:：]?\s*((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2})", re.I)
_TODAY_RE = re.compile(r"今天是\s*[:：]?\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")


def generation_date(meta_values: list[str], text_head: str) -> date | None:
    """The page's own generation time: a CMS stamp in meta tags, or a header clock baked in."""
    for v in meta_values:
        # Every match holds 生成 or "generated" in some case: a regex led by an alternation is
        # tried at every character, a substring search is not.
        if "生成" not in v and "generated" not in v.lower():
            continue
        m = _GEN_RE.search(v)
        if m:
            return parse_full(m.group(1))
    m = _TODAY_RE.search(text_head)
    if m:
        return parse_full(m.group(1))
    return None


def to_date(value: date | datetime | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_full(value)

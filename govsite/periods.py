"""Quarters (2017Q3): the one parser and calendar arithmetic every area uses.

Plain Python (no Django). Each app subclasses `Quarter` only to name the error its callers
expect (`error`), so a bad quarter string is reported the same way everywhere."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import ClassVar

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
# The national supervision process starts in 2015; quarters after 2100 are certainly typos.
FIRST_YEAR, LAST_YEAR = 2015, 2100
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


class QuarterError(ValueError):
    """A quarter string that is not YYYYQn within the supported years."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    error: ClassVar[type[Exception]] = QuarterError

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = _QUARTER.match((text or "").strip().upper())
        if not m:
            raise cls.error(f"未知的季度“{text}”：格式应为 年份Q季度，例如 2017Q3")
        year, q = int(m.group(1)), int(m.group(2))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise cls.error(f"未知的季度“{text}”：年份须在 {FIRST_YEAR}–{LAST_YEAR} 之间")
        return cls(year, q)

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def name(self) -> str:
        """第三季度"""
        return QUARTER_NAMES[self.q]

    @property
    def label(self) -> str:
        """2017年第三季度"""
        return f"{self.year}年{self.name}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    def previous(self) -> Quarter:
        return type(self)(self.year - 1, 4) if self.q == 1 else type(self)(self.year, self.q - 1)

    def next(self) -> Quarter:
        return type(self)(self.year + 1, 1) if self.q == 4 else type(self)(self.year, self.q + 1)

    def label_relative_to(self, current: Quarter) -> str:
        """Same year → 第二季度; other year → 2016年第四季度 (as the notice shortens it)."""
        return self.name if self.year == current.year else self.label

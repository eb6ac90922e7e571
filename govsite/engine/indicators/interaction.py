"""Interaction (互动回应): V15-5, D15-5, D15-6, D15-7 (RS2015), V19-5 and D19-7's reply
timeliness (RS2019: replies not updated in 2 months, replies after > 5 PRC working days).

`InteractionObserver` is a crawl observer like the Collector. It recognises consultation
(咨询/信箱/留言), survey (征集/调查) and interview (访谈) columns by name (column headings, menu
links, the page's `ColumnName` tag), keeps the dated items of their lists, and reads message
detail pages (question date, reply date, status). Only small records are kept, bounded per
kind. A list item without a date, or a date that cannot be read, is counted and reported as
such, never guessed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from govsite.engine.crawl import Crawler, PageRecord
from govsite.engine.extract import extract_page
from govsite.engine.extract.dates import parse_full
from govsite.engine.extract.facts import PageFacts
from govsite.engine.fetch import Fetcher, FetchResult
from govsite.engine.rulesets import RuleSet
from govsite.engine.scoring import Finding
from govsite.engine.urls import normalize
from govsite.feedback.workdays import CalendarNotCovered, WorkCalendar

KINDS = ("consult", "survey", "interview")
KIND_LABEL = {"consult": "政务咨询类", "survey": "调查征集类", "interview": "互动访谈类"}
# Column names by kind. Petition (信访) and discipline-report (举报) channels are not
# consultation columns (rules.md V15-5 / V19-5); 统计调查 is a statistics column, not a survey.
_KIND_WORDS = (
    ("interview", ("访谈",)),
    ("survey", ("征集", "调查", "民意测评")),
    ("consult", ("咨询", "信箱", "留言", "来信", "建言", "问政", "投诉", "写信")),
)
_NOT_INTERACTION = ("举报", "信访", "统计", "数据", "调查研究", "调研", "电话", "须知", "指南", "说明", "规则", "办法")
MAX_NAME = 12  # a column name or menu label, not an article title that mentions 征集
MAX_COLUMNS = 20
MAX_ITEMS = 1000
MAX_EVIDENCE = 50

_DATE = r"((?:19|20)\d{2}\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?))"
_ASK_LABEL = r"(?:来信|留言|提问|咨询|写信|提交|发信|来件|信件|问题)(?:时间|日期)"
_REPLY_LABEL = r"(?:答复|回复|办理|处理|办结|回信|反馈)(?:时间|日期)"
# A labelled date: the label, then whatever the page shows (read separately, so an unreadable
# value is reported rather than skipped).
_ASK_RE = re.compile(rf"{_ASK_LABEL}\s*[:：]?\s*([^\n]{{0,40}})")
_REPLY_RE = re.compile(rf"{_REPLY_LABEL}\s*[:：]?\s*([^\n]{{0,40}})")
_UNANSWERED_RE = re.compile(r"尚未答复|尚未回复|未答复|未回复|暂未回复|暂未答复|待答复|待回复|未办结|办理中|处理中|正在办理|待处理|未处理")
_ANSWERED_RE = re.compile(r"已答复|已回复|已办结|已处理|已反馈|答复完毕|办理完毕")
_ANSWER_BLOCK_RE = re.compile(r"(?:答复|回复)(?:单位|部门|内容|意见)\s*[:：]")
_ACTIVITY_RE = {
    "survey": re.compile(rf"(?:征集|调查|开始)(?:时间|日期|期限)\s*[:：]?\s*{_DATE}"),
    "interview": re.compile(rf"(?:访谈|直播)(?:时间|日期)\s*[:：]?\s*{_DATE}"),
}
_BREADCRUMB_RE = re.compile(r"(?:当前位置|您的位置|所在位置|当前页面)\s*[:：]?((?:\n?[^\n]{0,30}){0,8})")


@lru_cache(maxsize=8192)  # menu labels repeat on every page of a site
def column_kind(name: str | None) -> str | None:
    """consult | survey | interview for an interaction column name, else None."""
    if not name:
        return None
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(w in name for w in _NOT_INTERACTION):
        return None
    for kind, words in _KIND_WORDS:
        if any(w in name for w in words):
            return kind
    return None


@dataclass
class Message:
    """One consultation message as seen on lists and its detail page."""

    title: str
    url: str | None
    page: str  # where it was seen (evidence)
    asked: date | None = None
    raw_asked: str | None = None
    replied: date | None = None
    status: str | None = None  # answered | unanswered | None (not shown)
    detail_read: bool = False
    date_problem: str | None = None  # the text of a date that could not be read
    column: str | None = None  # name of the column it was listed in; None when seen only as a page


@dataclass
class Activity:
    title: str
    url: str | None
    page: str
    day: date | None
    raw: str | None


def _status(text: str) -> str | None:
    if _UNANSWERED_RE.search(text):
        return "unanswered"
    if _ANSWERED_RE.search(text):
        return "answered"
    return None


def _labelled(regex: re.Pattern[str], text: str) -> tuple[date | None, str | None]:
    """(date, raw) of the first labelled date; (None, raw) when the label shows no readable date."""
    m = regex.search(text)
    if not m:
        return None, None
    raw = m.group(1).strip()
    return parse_full(raw), raw


def parse_message(text: str) -> dict:
    """Question date, reply date and status from a message detail page's visible text.

    Returns {"asked", "raw_asked", "replied", "raw_replied", "status"}; a label whose value is
    not a readable date gives a None date with the raw text kept."""
    asked, raw_asked = _labelled(_ASK_RE, text)
    replied, raw_replied = _labelled(_REPLY_RE, text)
    # The reply part starts at the reply label (or an answer block); status words before it
    # belong to the question.
    status = None
    if replied is not None:
        status = "answered"
    else:
        st = _status(text)
        if st is not None:
            status = st
        elif raw_replied or _ANSWER_BLOCK_RE.search(text):
            status = "answered"
    return {"asked": asked, "raw_asked": raw_asked, "replied": replied, "raw_replied": raw_replied, "status": status}


def _same_title(line: str, title: str) -> bool:
    """The list line shows this title (in full, or cut short with an ellipsis)."""
    if line == title:
        return True
    if len(title) >= 6 and line.startswith(title):
        return True
    short = line.rstrip(".…").rstrip()
    return len(short) >= 6 and short != line and title.startswith(short)


def list_statuses(text: str, titles: list[str]) -> list[str | None]:
    """Status shown beside each list item ("状态：已答复"), read from the page text in order;
    None where no status is shown."""
    lines = [ln.strip() for ln in text.split("\n")]
    out: list[str | None] = []
    pos = 0
    for i, t in enumerate(titles):
        t = t.strip()
        if not t:
            out.append(None)
            continue
        j = next((k for k in range(pos, min(len(lines), pos + 400)) if _same_title(lines[k], t)), None)
        if j is None:
            out.append(None)
            continue
        nxt = titles[i + 1].strip() if i + 1 < len(titles) else None
        st = None
        for k in range(j + 1, min(len(lines), j + 5)):
            if nxt and _same_title(lines[k], nxt):
                break
            st = _status(lines[k])
            if st:
                break
        out.append(st)
        pos = j + 1
    return out


def _page_kind(facts: PageFacts) -> str | None:
    """The interaction kind of the page's own column: its ColumnName tag, else its breadcrumb."""
    kind = column_kind(facts.meta.get("ColumnName"))
    if kind:
        return kind
    head = facts.text[:3000]
    m = _BREADCRUMB_RE.search(head) if "位置" in head or "当前页面" in head else None
    if m:
        parts = [p.strip(" >»›/\u3000") for p in re.split(r"[\n>»›/]", m.group(1))]
        for p in reversed([p for p in parts if p and p != "正文"]):
            kind = column_kind(p)
            if kind:
                return kind
            break  # only the last crumb (the column itself) names the page's column
    return None


@dataclass
class InteractionObserver:
    columns: dict[str, dict[str, str]] = field(default_factory=lambda: {k: {} for k in KINDS})  # kind → url → name
    messages: dict[str, Message] = field(default_factory=dict)
    activities: dict[str, dict[str, Activity]] = field(default_factory=lambda: {"survey": {}, "interview": {}})
    item_kind: dict[str, str] = field(default_factory=dict)  # item url → kind (to classify detail pages)
    lists_seen: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))  # list blocks read
    undated: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {k: [] for k in KINDS})
    undated_count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    pages: int = 0
    home: str | None = None  # the site's home page (evidence for "no such column")

    def __call__(self, facts: PageFacts, rec: PageRecord) -> None:
        self.pages += 1
        page = facts.url
        if rec.depth == 0 and self.home is None:
            self.home = page
        # Menu and heading links name columns; the items of lists (article titles that mention
        # 征集 or 访谈) do not.
        items = {it.url for c in facts.columns for it in c.items if it.url}
        for links in (facts.nav, facts.links):
            for lk in links:
                if lk.tag == "a" and not lk.hidden and lk.url not in items:
                    kind = column_kind(lk.text)
                    if kind is not None:  # nearly every link names no interaction column
                        self._column(kind, lk.url, lk.text)
        own = _page_kind(facts)
        listed: set[str] = set()
        article = facts.article_pub_date is not None or "ArticleTitle" in facts.meta
        for col in facts.columns:
            if article and col.url is None and col.item_count < 2:
                continue  # an article's own heading and date line, not a list
            kind = column_kind(col.name)
            if kind is None and own and (col.url is None or normalize(col.url, page) == normalize(page)):
                if col.type in ("interaction", "other") and len(facts.columns) <= 3:
                    kind = own  # the page's own list under a heading that does not repeat the name
            if kind is None:
                continue
            self._column(kind, normalize(col.url, page) if col.url else normalize(page), col.name)
            self.lists_seen[kind] += 1
            if col.item_count >= 2:
                listed.add(kind)
            statuses = list_statuses(facts.text, [it.title for it in col.items]) if kind == "consult" else []
            for i, it in enumerate(col.items):
                url = normalize(it.url, page) if it.url else None
                if url is None and len(it.title.strip()) < 4:
                    continue  # a stray date (a label on a detail page), not an item
                if url and len(self.item_kind) < 3 * MAX_ITEMS:
                    self.item_kind.setdefault(url, kind)
                if it.date is None:
                    self._undated(kind, page, it.title, it.raw_date)
                if kind == "consult":
                    msg = self._message(it.title, url, page, it.date, it.raw_date, statuses[i] if i < len(statuses) else None)
                    if msg is not None and msg.column is None:
                        # by name: a column's later list pages (index_1.html, ?page=2) are the same column
                        msg.column = (col.name or "").strip() or normalize(page)
                else:
                    self._activity(kind, it.title, url, page, it.date, it.raw_date)
        if own and (own in listed or (facts.article_pub_date is None and "ArticleTitle" not in facts.meta)):
            # the column's own page (a message or activity page names its column too, but is not it)
            self._column(own, normalize(page) or page, facts.meta.get("ColumnName") or KIND_LABEL[own])
        kind = self.item_kind.get(normalize(page) or page) or own
        if kind and kind not in listed:  # a list page is not a message or an activity
            self._detail(kind, facts)

    # -- recording -------------------------------------------------------------------------
    def _column(self, kind: str | None, url: str | None, name: str) -> None:
        if kind is None or not url:
            return
        cols = self.columns[kind]
        if url not in cols and len(cols) < MAX_COLUMNS:
            cols[url] = name.strip()

    def _undated(self, kind: str, page: str, title: str, raw: str | None) -> None:
        self.undated_count[kind] += 1
        if len(self.undated[kind]) < 10:
            self.undated[kind].append((page, f"「{title}」" + (f"日期无法识别：{raw}" if raw else "未显示日期")))

    def _message(self, title: str, url: str | None, page: str, day: date | None, raw: str | None,
                 status: str | None) -> Message | None:
        key = url or f"{title}|{raw}"
        m = self.messages.get(key)
        if m is None:
            if len(self.messages) >= MAX_ITEMS:
                return None
            m = self.messages[key] = Message(title=title, url=url, page=page)
        if day is not None and m.asked is None:
            m.asked, m.raw_asked = day, raw
        if status is not None and not m.detail_read:
            m.status = status
        return m

    def _activity(self, kind: str, title: str, url: str | None, page: str, day: date | None, raw: str | None) -> None:
        acts = self.activities[kind]
        key = url or f"{title}|{raw}"
        a = acts.get(key)
        if a is None:
            if len(acts) >= MAX_ITEMS:
                return
            acts[key] = Activity(title, url, page, day, raw)
        elif a.day is None and day is not None:
            a.day, a.raw = day, raw

    def _detail(self, kind: str, facts: PageFacts) -> None:
        url = normalize(facts.url) or facts.url
        title = facts.meta.get("ArticleTitle") or facts.title or url
        if kind == "consult":
            info = parse_message(facts.text)
            if info["raw_asked"] is None and info["status"] is None:
                return  # not a message page (a form, a notice about the mailbox …)
            m = self._message(title, url, url, None, None, None)
            if m is None:
                return
            m.detail_read = True
            m.page = url
            if info["asked"] is not None:
                m.asked, m.raw_asked = info["asked"], info["raw_asked"]
            elif info["raw_asked"] is not None and m.asked is None:
                m.date_problem = info["raw_asked"] or "（空）"
            m.replied = info["replied"]
            if info["status"] is not None:
                m.status = info["status"]
            if info["replied"] is None and info["raw_replied"] and info["status"] == "answered":
                m.date_problem = m.date_problem or f"答复日期无法识别：{info['raw_replied']}"
        else:
            m2 = _ACTIVITY_RE[kind].search(facts.text)
            day = parse_full(m2.group(1)) if m2 else facts.article_pub_date
            raw = m2.group(1) if m2 else (facts.meta.get("PubDate") or None)
            if day is not None:
                self._activity(kind, title, url, url, day, raw)

    # -- post-crawl ------------------------------------------------------------------------
    def pending_details(self, as_of: date, unanswered_months: int, window_months: int, limit: int) -> list[str]:
        """Message pages worth reading after the crawl: old enough to matter, status unknown."""
        start = as_of - relativedelta(months=window_months)
        late = as_of - relativedelta(months=unanswered_months)
        out = []
        for m in self.messages.values():
            if m.url and not m.detail_read and m.status is None and m.asked and start <= m.asked <= late:
                out.append(m.url)
                if len(out) >= limit:
                    break
        return out

    async def read_details(self, fetcher: Fetcher, urls: list[str], as_of: date, deadline: float | None) -> int:
        """Fetch and read message pages the crawl did not reach (bounded by the caller)."""
        n = 0
        async for _u, _res, facts in refetch_pages(urls, fetcher, as_of, deadline):
            n += 1
            if facts is not None:
                self._detail("consult", facts)
        return n

    def failed_pages(self, crawler: Crawler) -> list[str]:
        """Interaction column pages the crawl failed to open for a passing reason (server
        error, timeout, reset): worth one more try."""
        bad = {p.url for p in crawler.pages if p.error and (p.error in ("timeout", "connect") or (p.status or 0) >= 500)}
        return [u for kind in KINDS for u in self.columns[kind] if u in bad]

    # -- findings --------------------------------------------------------------------------
    def _unusable(self, kind: str, crawler: Crawler | None) -> list[tuple[str, str]]:
        """Columns whose page could not be opened: (url, why)."""
        if crawler is None:
            return []
        recs = {p.url: p for p in crawler.pages}
        out = []
        for url in self.columns[kind]:
            p = recs.get(url)
            lr = crawler.links.get(url)
            err = (p.error if p is not None else None) or (lr.error if lr is not None and lr.checked and lr.broken else None)
            if err and (p is None or not p.html):
                out.append((url, err))
        return out

    def names(self, kind: str) -> str:
        seen = list(dict.fromkeys(self.columns[kind].values()))
        return "、".join(f"「{n}」" for n in seen[:5])

    def findings(self, rs: RuleSet, as_of: date, *, portal: bool, crawler: Crawler | None = None) -> list[Finding]:
        """V15-5, D15-5, D15-6 and D15-7 under `rs` (RS2015)."""
        return [self.v15_5(rs, as_of), self.d15_5(rs, as_of, crawler),
                self._activity_finding("D15-6", "survey", rs, as_of, portal, crawler),
                self._activity_finding("D15-7", "interview", rs, as_of, portal, crawler)]

    def _late(self, as_of: date, months: int, window_months: int) -> tuple[list[tuple[Message, str]], int, int]:
        """Messages of the window left unanswered > `months`, the number judged, the number
        that could not be judged (no date, unreadable date, or no status shown)."""
        start = as_of - relativedelta(months=window_months)
        late_line = as_of - relativedelta(months=months)
        bad: list[tuple[Message, str]] = []
        judged = unknown = 0
        for m in self.messages.values():
            if m.asked is None:
                unknown += 1
                continue
            if m.asked < start or m.asked > as_of:
                continue
            if m.status == "unanswered" or (m.status is None and m.replied is None):
                if m.status is None:
                    if m.asked <= late_line:
                        unknown += 1
                    continue
                judged += 1
                if m.asked <= late_line:
                    bad.append((m, f"留言「{m.title}」提问日期 {m.raw_asked or m.asked.isoformat()}，"
                                   f"至检查日 {as_of.isoformat()} 仍未答复（超过 {months} 个月）"))
            else:
                judged += 1
                if m.replied is not None and m.replied > m.asked + relativedelta(months=months):
                    bad.append((m, f"留言「{m.title}」提问日期 {m.raw_asked or m.asked.isoformat()}，"
                                   f"答复日期 {m.replied.isoformat()}，超过 {months} 个月才答复"))
        return bad, judged, unknown

    def _consult_state(self, rule_months: int, window_months: int, as_of: date, fid: str) -> Finding | None:
        """The V15-5 / V19-5 (2) check; None when there is no consultation column."""
        if not self.messages and not self.lists_seen["consult"]:
            why = "咨询类栏目的留言列表未能读取（栏目可能位于站外或超出抓取范围），无法判断是否超期未答复"
            return Finding(fid, "error", 0.0, [{"url": u, "detail": f"「{n}」{why}"}
                                               for u, n in list(self.columns["consult"].items())[:5]], why)
        bad, judged, unknown = self._late(as_of, rule_months, window_months)
        problems = [{"url": u, "detail": f"{d}（{KIND_LABEL['consult']}）"} for u, d in self.undated["consult"]]
        problems += [{"url": m.page, "detail": f"留言「{m.title}」的日期无法识别：{m.date_problem}"}
                     for m in self.messages.values() if m.date_problem][:10]
        tail = f"；{unknown} 条留言因无日期、日期无法识别或未显示答复状态未能判断" if unknown else ""
        if bad:
            ev = [{"url": m.url or m.page, "detail": d} for m, d in bad[:MAX_EVIDENCE]]
            return Finding(fid, "veto", 0.0, ev + problems,
                           f"近 {window_months} 个月内有 {len(bad)} 条留言超过 {rule_months} 个月未答复{tail}")
        if judged == 0 and (unknown or self.undated_count["consult"]):
            why = f"咨询类栏目的留言无日期或日期无法识别，无法判断是否超期未答复（{unknown} 条）"
            return Finding(fid, "error", 0.0, problems or [{"url": next(iter(self.columns['consult'])), "detail": why}], why)
        return Finding(fid, "ok", 0.0, problems,
                       f"近 {window_months} 个月内 {judged} 条留言均未超过 {rule_months} 个月未答复{tail}")

    def v15_5(self, rs: RuleSet, as_of: date) -> Finding:
        rule = rs.rule("V15-5")
        months, window = int(rule.get("unanswered_months", 3)), int(rule.get("window_months", 12))
        if not self.columns["consult"]:
            return Finding("V15-5", "ok", 0.0, [], "未发现政务咨询类栏目（按 D15-5 扣分），无留言需判断")
        f = self._consult_state(months, window, as_of, "V15-5")
        assert f is not None
        return f

    def v19_5(self, rs: RuleSet, as_of: date) -> Finding:
        """V19-5: (1) no consultation channel at all; (2) a message unanswered > 3 months in a year."""
        rule = rs.rule("V19-5")
        months, window = int(rule.get("unanswered_months", 3)), int(rule.get("window_months", 12))
        if not self.columns["consult"]:
            why = "未发现可用的在线咨询/建言渠道（信访、举报渠道不计）"
            return Finding("V19-5", "veto", 0.0, [{"url": self.home, "detail": why + f"；已检查 {self.pages} 个页面"}], why)
        f = self._consult_state(months, window, as_of, "V19-5")
        assert f is not None
        return f

    def d19_7(self, rs: RuleSet, as_of: date, base: Finding, calendar: WorkCalendar | None = None) -> Finding:
        """D19-7 (互动交流：咨询建言) under `rs`: the D15-5 observation `base` (is there a channel,
        is it used) plus the rule set's reply-timeliness sub-rules: a used column whose newest
        published reply is older than `late_reply_months` (−points_late_reply), and answered
        messages of the last `window_months` whose reply came more than `slow_reply_workdays`
        PRC working days after the question (−points_slow_reply each). What V19-5 (2) already
        counts (unanswered, or answered after > 3 months) is not counted again here; the total
        never exceeds the indicator's cap."""
        rule = rs.rule("D19-7")
        v5 = rs.rule("V19-5") if "V19-5" in rs.indicators else None
        veto_months = int(v5.get("unanswered_months", 3)) if v5 is not None else 3
        window = int(rule.get("window_months", 12))
        points, status = base.points, base.status
        evidence, summary = list(base.evidence), [base.summary] if base.summary else []
        if base.status == "deduct" or not self.messages:
            # no channel, or an unused one: D15-5's deduction says it all (nothing to be timely about)
            return Finding("D19-7", status, points, evidence, "；".join(summary))
        vetoed = {id(m) for m, _ in self._late(as_of, veto_months, window)[0]}
        extra = 0.0
        if "late_reply_months" in rule.params:
            ded, ev, why = self._stale_replies(as_of, int(rule.get("late_reply_months")), window, vetoed)
            evidence += ev
            summary += [why] if why else []
            if ded:
                extra += float(rule.get("points_late_reply", 0))
        if "slow_reply_workdays" in rule.params:
            slow, ev, why = self._slow_replies(as_of, int(rule.get("slow_reply_workdays")), window, veto_months,
                                               calendar or WorkCalendar())
            evidence += ev
            summary += [why] if why else []
            extra += float(rule.get("points_slow_reply", 0)) * slow
        if extra:
            points -= extra
            status = "deduct"
            cap = float(rule.get("cap", 0) or 0)
            if cap > 0:
                points = max(points, -cap)
        return Finding("D19-7", status, points, evidence, "；".join(summary))

    def _stale_replies(self, as_of: date, months: int, window_months: int, vetoed: set[int]
                       ) -> tuple[bool, list[dict], str]:
        """(deduct, evidence, summary) of "replies not updated in `months`", per consultation
        column in use (a message in the window). A column is judged only when no message could
        hide a newer reply: an answered message without a readable reply date, or one whose
        status is not shown, makes it "cannot judge" unless another message already proves a
        reply after the line (a reply dated after it, or an answered message asked after it)."""
        line = as_of - relativedelta(months=months)
        start = as_of - relativedelta(months=window_months)
        groups: dict[str | None, list[Message]] = {}
        for m in self.messages.values():
            groups.setdefault(m.column, []).append(m)

        def proves_recent(m: Message) -> bool:
            return (m.replied is not None and line <= m.replied <= as_of) or (
                m.status == "answered" and m.asked is not None and line <= m.asked <= as_of)

        # a message seen only as a page (its column unknown) proves activity for the whole site
        if any(proves_recent(m) for m in groups.get(None, [])):
            return False, [], ""
        stale: list[dict] = []
        unknown: list[dict] = []
        for name, msgs in groups.items():
            if name is None or not any(m.asked is not None and start <= m.asked <= as_of for m in msgs):
                continue  # not a column in use: D15-5 judges that
            if any(proves_recent(m) for m in msgs):
                continue
            url = self._column_url(name, msgs)
            hidden = [m for m in msgs if m.replied is None and m.status != "unanswered"
                      and (m.asked is None or m.asked >= start)]
            if hidden:
                m = hidden[0]
                why = (f"答复日期无法识别：{m.date_problem}" if m.date_problem else
                       "未读取到答复日期" if m.status == "answered" else "未显示答复状态")
                unknown.append({"url": url, "detail": f"「{name}」无法判断答复是否更新：{len(hidden)} 条留言"
                                f"{'' if m.status == 'answered' else '可能'}已答复但答复日期不明（如「{m.title}」{why}）"})
                continue
            if any(id(m) in vetoed for m in msgs):
                continue  # the column's lagging replies are already the V19-5 veto
            newest = max((m for m in msgs if m.replied is not None), key=lambda m: m.replied, default=None)  # type: ignore[arg-type, return-value]
            if newest is None:
                detail = f"「{name}」近 {window_months} 个月有留言，但未见任何答复（检查日 {as_of.isoformat()}）"
            else:
                detail = (f"「{name}」最新答复日期 {newest.replied.isoformat()}（留言「{newest.title}」），"  # type: ignore[union-attr]
                          f"早于检查日 {as_of.isoformat()} 前 {months} 个月（{line.isoformat()}），答复未更新")
            stale.append({"url": url, "detail": detail})
        if stale:
            return True, stale + unknown, f"咨询类栏目超过 {months} 个月未更新答复：{'、'.join(e['detail'].split('」')[0] + '」' for e in stale)}"
        if unknown:
            return False, unknown, f"{len(unknown)} 个咨询类栏目的答复日期不明，无法判断 {months} 个月内是否更新答复"
        return False, [], ""

    def _column_url(self, name: str, msgs: list[Message]) -> str:
        """The column's own URL (its menu link or list page), for evidence."""
        for url, n in self.columns["consult"].items():
            if n == name:
                return url
        return msgs[0].page

    def _slow_replies(self, as_of: date, workdays: int, window_months: int, veto_months: int,
                      calendar: WorkCalendar) -> tuple[int, list[dict], str]:
        """(count, evidence, summary) of answered messages of the window whose reply came more
        than `workdays` PRC working days after the question. A reply after > `veto_months` is
        V19-5's and not counted; a message whose dates cannot be read, or whose year the
        holiday calendar does not cover, is reported and not counted."""
        start = as_of - relativedelta(months=window_months)
        slow: list[tuple[Message, int]] = []
        unread: list[dict] = []
        judged = 0
        for m in self.messages.values():
            if m.asked is None or not start <= m.asked <= as_of:
                continue
            if m.replied is None:
                if m.status == "answered" and m.date_problem:
                    unread.append({"url": m.url or m.page, "detail": f"留言「{m.title}」{m.date_problem}，未能判断答复用时"})
                continue
            if m.replied < m.asked or m.replied > m.asked + relativedelta(months=veto_months):
                continue  # a reply before its question is a date problem; one after > 3 months is V19-5
            try:
                days = calendar.workdays_between(m.asked, m.replied)
            except CalendarNotCovered as exc:
                unread.append({"url": m.url or m.page, "detail": f"留言「{m.title}」：{exc.year}年节假日安排不在日历中，未能计算工作日"})
                continue
            judged += 1
            if days > workdays:
                slow.append((m, days))
        ev = [{"url": m.url or m.page, "detail": f"留言「{m.title}」提问日期 {m.raw_asked or m.asked.isoformat()}，"  # type: ignore[union-attr]
               f"答复日期 {m.replied.isoformat()}，相隔 {d} 个工作日（超过 {workdays} 个工作日）"}  # type: ignore[union-attr]
              for m, d in slow[:MAX_EVIDENCE]]
        tail = f"；{len(unread)} 条留言的答复日期或工作日无法判断" if unread else ""
        if slow:
            return len(slow), ev + unread[:10], f"近 {window_months} 个月内 {len(slow)} 条留言超过 {workdays} 个工作日才答复{tail}"
        if judged or unread:
            return 0, unread[:10], f"近 {window_months} 个月内已答复的 {judged} 条留言均在 {workdays} 个工作日内答复{tail}"
        return 0, [], ""

    def d15_5(self, rs: RuleSet, as_of: date, crawler: Crawler | None) -> Finding:
        rule = rs.rule("D15-5")
        window = int(rule.get("window_months", 12))
        start = as_of - relativedelta(months=window)
        if not self.columns["consult"]:
            why = f"未开设政务咨询类栏目（已检查 {self.pages} 个页面）"
            return Finding("D15-5", "deduct", -float(rule.get("points_missing", 5)), [{"url": self.home, "detail": why}], why)
        names = self.names("consult")
        broken = self._unusable("consult", crawler)
        dated = [m for m in self.messages.values() if m.asked is not None]
        recent = [m for m in dated if start <= m.asked <= as_of]
        if recent:
            newest = max(recent, key=lambda m: m.asked)  # type: ignore[arg-type, return-value]
            return Finding("D15-5", "ok", 0.0, [{"url": newest.url or newest.page, "detail":
                           f"最新留言「{newest.title}」{newest.raw_asked or newest.asked}"}],
                           f"政务咨询类栏目{names}近 {window} 个月内有 {len(recent)} 条留言")
        if not dated and not broken and (self.undated_count["consult"] or not self.lists_seen["consult"]):
            why = (f"政务咨询类栏目{names}的留言未显示日期或日期无法识别，无法判断 1 年内是否有留言"
                   if self.undated_count["consult"] else f"政务咨询类栏目{names}的留言列表未能读取")
            ev = [{"url": u, "detail": d} for u, d in self.undated["consult"]] or [
                {"url": u, "detail": why} for u in list(self.columns["consult"])[:3]]
            return Finding("D15-5", "error", 0.0, ev, why)
        if broken:
            ev = [{"url": u, "detail": f"栏目页无法打开（{e}）"} for u, e in broken]
            why = f"政务咨询类栏目{names}不可用"
        else:
            newest_d = max((m.asked for m in dated), default=None)  # type: ignore[type-var]
            why = f"政务咨询类栏目{names}近 {window} 个月内无有效留言" + (f"（最新留言日期 {newest_d}）" if newest_d else "")
            ev = [{"url": u, "detail": why} for u in list(self.columns["consult"])[:3]]
        return Finding("D15-5", "deduct", -float(rule.get("points_unused", 5)), ev, why)

    def _activity_finding(self, fid: str, kind: str, rs: RuleSet, as_of: date, portal: bool,
                          crawler: Crawler | None) -> Finding:
        rule = rs.rule(fid)
        window = int(rule.get("window_months", 12))
        start = as_of - relativedelta(months=window)
        label = KIND_LABEL[kind]
        cols = self.columns[kind]
        if not cols:
            pts = float(rule.get("points_missing", 0))
            why = f"未开设{label}栏目（已检查 {self.pages} 个页面）"
            if pts:
                return Finding(fid, "deduct", -pts, [{"url": self.home, "detail": why}], why)
            return Finding(fid, "ok", 0.0, [], why + "，按评分细则此项不扣分")
        names = self.names(kind)
        acts = list(self.activities[kind].values())
        dated = [a for a in acts if a.day is not None]
        recent = sorted((a for a in dated if start <= a.day <= as_of), key=lambda a: a.day, reverse=True)  # type: ignore[operator]
        need = int(rule.get("few_portal" if portal else "few_other", 0))
        broken = self._unusable(kind, crawler)
        ev_recent = [{"url": a.url or a.page, "detail": f"「{a.title}」{a.raw or a.day}"} for a in recent[:10]]
        if broken and not acts:
            ev = [{"url": u, "detail": f"栏目页无法打开（{e}）"} for u, e in broken]
            return Finding(fid, "deduct", -float(rule.get("points_unused", 5)), ev, f"{label}栏目{names}不可用")
        if not dated:
            if self.undated_count[kind] or not self.lists_seen[kind]:
                why = (f"{label}栏目{names}的活动未显示日期或日期无法识别，无法统计" if self.undated_count[kind]
                       else f"{label}栏目{names}的列表未能读取，无法统计")
                ev = [{"url": u, "detail": d} for u, d in self.undated[kind]] or [{"url": u, "detail": why} for u in list(cols)[:3]]
                return Finding(fid, "error", 0.0, ev, why)
        if not recent:
            newest = max((a.day for a in dated), default=None)  # type: ignore[type-var]
            why = f"{label}栏目{names}近 {window} 个月内未开展活动" + (f"（最近一次 {newest}）" if newest else "（栏目无内容）")
            return Finding(fid, "deduct", -float(rule.get("points_unused", 5)),
                           [{"url": u, "detail": why} for u in list(cols)[:3]], why)
        if need and len(recent) < need:
            why = f"{label}栏目{names}近 {window} 个月内仅开展活动 {len(recent)} 次（少于 {need} 次），1年内开展活动次数少"
            return Finding(fid, "deduct", -float(rule.get("points_few", 3)),
                           [{"url": list(cols)[0], "detail": why}] + ev_recent, why)
        tail = f"；{self.undated_count[kind]} 条未显示日期，未计入" if self.undated_count[kind] else ""
        return Finding(fid, "ok", 0.0, ev_recent[:3], f"{label}栏目{names}近 {window} 个月内开展活动 {len(recent)} 次{tail}")


def is_portal(category: int | None) -> bool:
    """Local-government portals and State Council departments use the higher activity threshold
    (D15-6/D15-7: 6 a year, others 3)."""
    return category in (1, 2, 4, 6)


async def refetch_pages(urls: list[str], fetcher: Fetcher, as_of: date, deadline: float | None
                        ) -> AsyncIterator[tuple[str, FetchResult, PageFacts | None]]:
    """Fetch pages after the crawl, within the check's time budget: (url, response, facts or None
    when the page is not readable HTML). The interaction and service checks re-read pages here."""
    loop = asyncio.get_running_loop()
    for u in urls:
        if deadline is not None and loop.time() >= deadline - 0.5:
            return  # the check's time budget comes first
        res = await fetcher.get(u, deadline=deadline)
        facts = None
        if res.ok and res.body and res.is_html:
            try:
                facts = extract_page(res.text(), u, as_of=as_of)
            except Exception:  # noqa: BLE001 - a junk page must not stop the check
                facts = None
        yield u, res, facts

"""The text scanners: serious errors (protected terms miswritten, known miswritings, a leader
named with a post not held on the page's date) and banned vocabulary."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

from govsite.engine.text import lexicon as lx

# Bounds so that a hostile page cannot make a scan slow (the automaton pass is linear; these
# cap the Python work per page).
MAX_TEXT_CHARS = 2_000_000
MAX_FINDINGS = 500
MAX_HITS = 200_000  # automaton matches looked at per text (correct terms included)
SENTENCE_END = "。！？!?；;\n\r"
SENTENCE_MAX = 200  # context characters kept on each side at most

CATEGORY_LABEL = {
    "confusion": "易错词",
    "near_miss": "重要词语错写",
    "leader_post": "领导人职务不符",
    "banned": "违规内容",
}
SUB_LABEL = {
    "homophone": "同音字",
    "homophone_tone": "近音字：拼音相同、声调不同",
    "shape": "形近字",
    "swap": "字序颠倒",
    "drop": "漏字",
    "reactionary": "反动",
    "violent": "暴力",
    "porn": "色情",
    "gambling": "赌博",
    "fraud": "违法广告",
}
SERIOUS = ("confusion", "near_miss", "leader_post")
PROVINCIAL_POST_WORDS = ("省委书记", "省长", "市委书记", "市长", "自治区党委书记", "自治区主席")


@dataclass
class TextFinding:
    category: str  # confusion | near_miss | leader_post | banned
    kind: str  # sub-kind: homophone, homophone_tone, shape, swap, drop / banned category / post
    wrong: str  # the text as found
    suggestion: str  # the correct form ("" when there is none, e.g. banned words: delete)
    start: int  # character span in the scanned text
    end: int
    sentence: str  # the sentence around it, for a person to judge
    message: str  # one line in Chinese
    where: str = "text"  # text | title (scan_page)

    @property
    def serious(self) -> bool:
        return self.category in SERIOUS

    @property
    def label(self) -> str:
        sub = SUB_LABEL.get(self.kind)
        return CATEGORY_LABEL[self.category] + (f"（{sub}）" if sub else "")

    def to_json(self) -> dict:
        d = asdict(self)
        d["label"] = self.label
        return d


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - SENTENCE_MAX)
    hi = min(len(text), end + SENTENCE_MAX)
    s = start
    while s > lo and text[s - 1] not in SENTENCE_END:
        s -= 1
    e = end
    while e < hi and text[e] not in SENTENCE_END:
        e += 1
    if e < len(text) and text[e] not in "\n\r":
        e += 1  # keep the full stop
    return s, e


def _whitelisted(form: str, sentence: str, lists: Iterable[tuple[str, str]]) -> bool:
    return any(form == f and (not ctx or ctx in sentence) for f, ctx in lists)


def _site_list(site_whitelist: Iterable[str]) -> list[tuple[str, str]]:
    out = []
    for item in site_whitelist:
        form, _, ctx = str(item).partition("\t")
        if form.strip():
            out.append((form.strip(), ctx.strip()))
    return out


def scan_text(
    text: str,
    *,
    on_date: date | None = None,
    site_whitelist: Iterable[str] = (),
    lexicons: lx.Lexicons | None = None,
) -> list[TextFinding]:
    """Findings in `text`, in text order (at most MAX_FINDINGS; text beyond MAX_TEXT_CHARS is
    not scanned — callers with longer texts scan them in pieces, as the CLI does). `on_date` is the page's date (for the leader/post
    check; without it only posts a person never held are reported). `site_whitelist` holds
    the site's confirmed false positives ("form" or "form<TAB>context")."""
    lex = lexicons or lx.default()
    if not text:
        return []
    white = lex.whitelist + _site_list(site_whitelist)
    return scan_stats(text[:MAX_TEXT_CHARS], on_date, white, lex)[0][:MAX_FINDINGS]


def ad_phrases(text: str, lexicons: lx.Lexicons | None = None) -> set[str]:
    """The advertising phrases (ads.tsv) in `text`, within a scan's bounds: what `scan_stats`
    reports in `ScanStats.ads`, without judging the other matches."""
    lex = lexicons or lx.default()
    entries_of, ad = lex.entries, lx.AD
    return {e.wrong for i, _s, _e in lex.matcher.find(text[:MAX_TEXT_CHARS], MAX_HITS) for e in entries_of(i)
            if e.kind == ad}


@dataclass
class ScanStats:
    """What the bounds of one scan saw, so that a caller scanning a text in pieces can tell
    whether the pieces together stayed within the bounds of one whole-text scan (then their
    findings are the same) — see `page.TextCache`."""

    hits: list[int]  # character start of every automaton match looked at
    candidates: list[int]  # start of every non-correct match (before the MAX_FINDINGS * 4 cap)
    names: list[int]  # start of every leader's name with a post beside it (judged by the date)
    ads: list[tuple[int, str]] = field(default_factory=list)  # (start, phrase) of every advertising phrase


def scan_stats(text: str, on_date: date | None, white: list[tuple[str, str]],
               lex: lx.Lexicons) -> tuple[list[TextFinding], ScanStats]:
    """`scan_text`'s work on an already truncated text with the full whitelist; findings not
    yet cut to MAX_FINDINGS."""
    if not text:
        return [], ScanStats([], [], [])
    matches = lex.matcher.find(text, MAX_HITS)
    correct_spans: list[tuple[int, int]] = []
    names: list[tuple[int, int, str]] = []
    posts_end: dict[int, str] = {}  # end index -> longest post ending there
    posts_start: dict[int, str] = {}
    candidates: list[tuple[int, int, lx.Entry]] = []
    stats = ScanStats([], [], [])
    entries_of = lex.entries
    for index, start, end in matches:
        stats.hits.append(start)
        for e in entries_of(index):
            if e.kind == lx.OK:
                correct_spans.append((start, end))
            elif e.kind == lx.NAME:
                correct_spans.append((start, end))
                names.append((start, end, e.wrong))
            elif e.kind == lx.POST:
                if len(e.wrong) > len(posts_end.get(end, "")):
                    posts_end[end] = e.wrong
                if len(e.wrong) > len(posts_start.get(start, "")):
                    posts_start[start] = e.wrong
            elif e.kind == lx.AD:
                stats.ads.append((start, e.wrong))
            else:
                stats.candidates.append(start)
                if len(candidates) < MAX_FINDINGS * 4:
                    candidates.append((start, end, e))

    correct_spans.sort()
    starts = [cs for cs, _ in correct_spans]
    findings: list[TextFinding] = []
    for start, end, e in candidates:
        # Terms are short, so only spans starting shortly before can contain this one.
        lo = bisect.bisect_left(starts, end - 64)
        hi = bisect.bisect_right(starts, start)
        if any(correct_spans[i][1] >= end for i in range(lo, hi)):
            continue  # inside a correctly written term (e.g. a variant spelling another term's part)
        s0, s1 = sentence_bounds(text, start, end)
        sentence = text[s0:s1]
        f = _judge(e, start, end, sentence, lex, text)
        if f and not _whitelisted(f.wrong, sentence, white):
            findings.append(f)

    for start, end, name in names:
        f = _leader_post(text, start, end, name, posts_end, posts_start, on_date, lex, stats.names)
        if f and not _whitelisted(f.wrong, f.sentence, white):
            findings.append(f)
    return _resolve_overlaps(findings), stats


def _judge(e: lx.Entry, start: int, end: int, sentence: str, lex: lx.Lexicons, text: str) -> TextFinding | None:
    if e.kind == lx.CONFUSION:
        return TextFinding("confusion", "confusion", e.wrong, e.right, start, end, sentence,
                           f"“{e.wrong}”应为“{e.right}”" + (f"（{e.note}）" if e.note else ""))
    if e.kind == lx.BANNED:
        if any(c in sentence for c in lex.suppress_cues):
            return None  # the sentence reports on fighting it
        return TextFinding("banned", e.sub, e.wrong, "", start, end, sentence,
                           f"含{SUB_LABEL.get(e.sub, '违规')}类词语“{e.wrong}”")
    if e.kind == lx.NEAR:
        if e.term_kind == "name" and not _name_context(e.right, sentence, lex, text, start, end):
            return None
        what = lx.TERM_KIND_LABEL.get(e.term_kind, "重要词语")
        return TextFinding("near_miss", e.sub, e.wrong, e.right, start, end, sentence,
                           f"疑似{what}“{e.right}”错写为“{e.wrong}”（{SUB_LABEL[e.sub]}）")
    return None


def _own_posts(name: str, lex: lx.Lexicons) -> list[str]:
    held = lex.posts_of(name)
    return held + [s for s in lx.NATIONAL_SHORT_POSTS if any(lx.post_compatible(s, p) for p in held)]


def _name_context(name: str, sentence: str, lex: lx.Lexicons, text: str, start: int, end: int) -> bool:
    """A near-miss of a leader's name counts only where the text speaks of such a leader. For
    names of three or more characters: one of their posts or a cue word in the sentence. A
    two-character near-miss is often an ordinary word (韩正/公正 … 应勇/应用), so it needs one of
    that person's posts right before or after it."""
    own = _own_posts(name, lex)
    if len(name) < 3:
        before = text[max(0, start - 20):start]
        after = text[end:end + 20]
        after = after[2:] if after.startswith("同志") else after
        return any(before.endswith(p) or after.startswith(p) for p in own)
    if any(p in sentence for p in own):
        return True
    if not any(h.level == "national" for h in lex.leaders.get(name, [])):
        # Provincial leaders' names are shared by many local officials: only a provincial post counts.
        return any(p in sentence for p in PROVINCIAL_POST_WORDS)
    return any(c in sentence for c in lex.name_cues)


def _leader_post(text: str, start: int, end: int, name: str, posts_end: dict[int, str],
                 posts_start: dict[int, str], on_date: date | None, lex: lx.Lexicons,
                 dated: list[int] | None = None) -> TextFinding | None:
    """A post written right before or right after a leader's name that the person did not
    hold (on `on_date`, or ever). `dated` gets `start` when the answer may depend on `on_date`."""
    post, span = posts_end.get(start), None
    if post:
        span = (start - len(post), end)
    else:
        after = end + 2 if text.startswith("同志", end) else end
        post = posts_start.get(after) or posts_start.get(end)
        if post:
            span = (start, (after if posts_start.get(after) == post else end) + len(post))
    if not post or span is None:
        return None
    if dated is not None:
        dated.append(start)  # a name with a post beside it: judged against the date
    held = lex.leaders.get(name, [])
    full = post not in lx.NATIONAL_SHORT_POSTS
    if not full and not any(h.level == "national" for h in held):
        return None  # a short title beside a provincial leader's name is probably a namesake
    matching = [h for h in held if lx.post_compatible(post, h.post)]
    s0, s1 = sentence_bounds(text, start, end)
    sentence = text[s0:s1]
    if not matching:
        right = "、".join(sorted({h.post for h in held}))
        return TextFinding("leader_post", "post", text[span[0]:span[1]], right, span[0], span[1], sentence,
                           f"{name}未担任过“{post}”（曾任：{right}）")
    if on_date is None or any(h.covers(on_date) for h in matching):
        return None
    if not all(h.certain for h in matching):
        return None  # approximate dates: do not judge the date
    then = [h for h in held if h.covers(on_date, grace_days=0)]
    right = "、".join(h.post for h in then) or "（该日期无在任记录）"
    return TextFinding("leader_post", "post", text[span[0]:span[1]], right, span[0], span[1], sentence,
                       f"{on_date.isoformat()} 时{name}不任“{post}”（时任：{right}）")


_PRIORITY = {"confusion": 0, "leader_post": 1, "near_miss": 2, "banned": 3}


def _resolve_overlaps(findings: list[TextFinding]) -> list[TextFinding]:
    """One finding per stretch of text: known miswritings first, then longer matches."""
    kept: list[TextFinding] = []
    for f in sorted(findings, key=lambda f: (_PRIORITY[f.category], -(f.end - f.start), f.start)):
        if any(f.start < k.end and k.start < f.end for k in kept):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end))

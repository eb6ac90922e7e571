"""Title/body checks for "文不对题": an empty body, a placeholder, a body unrelated to its title,
and the same body published under several pages. Each result carries both title and body
excerpt, because the final call is a person's."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from govsite.engine.text import lexicon as lx

EMPTY_BELOW = 10  # a body with fewer content characters is empty
EXCERPT = 120
# Words that say what kind of document it is, not what it is about.
TITLE_BOILERPLATE = re.compile(
    r"关于|印发|转发|做好|进一步|加强|开展|通知|通告|公告|公示|决定|意见|办法|方案|报告|批复|函|"
    r"工作|会议|召开|举行|情况|有关|事项|的|了|和|与|及|在|对|年度?|月份?|第[一二三四五六七八九十\d]+[期次号]")
# Content characters are the letters and digits (str.isalnum): `\w` without "_" (no
# whitespace is a word character). Kept runs found by `\w+` and joined: about a third faster on
# Chinese prose than deleting the complement, [\s\W_]+, with re.sub (same result, tested over
# every code point).
_WORD_RUN = re.compile(r"\w+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@dataclass
class MismatchFinding:
    kind: str  # empty_body | placeholder | unrelated | duplicate
    title: str
    body_excerpt: str
    message: str
    overlap: float | None = None  # share of the title's content bigrams found in the body
    duplicate_of: str | None = None  # for duplicate: the first page with the same body

    def to_json(self) -> dict:
        return dict(self.__dict__)


_LAST_CONTENT: tuple[str | None, str] = (None, "")


def content_chars(text: str) -> str:
    global _LAST_CONTENT
    last = _LAST_CONTENT
    if text is last[0]:
        return last[1]  # an article's body is measured three times (body, placeholder, duplicate)
    out = "".join(_WORD_RUN.findall(text)).replace("_", "") if text else ""
    if len(text or "") > 200:
        _LAST_CONTENT = (text, out)  # one assignment: threads see an old or a new pair, never mixed
    return out


def title_bigrams(title: str) -> set[str]:
    core = TITLE_BOILERPLATE.sub(" ", re.sub(r"\d+", " ", title or ""))
    out: set[str] = set()
    for run in _CJK_RUN.findall(core):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


_CHROME = re.compile(r"主办[:：]|承办[:：]|ICP备|公网安备|标识码|版权所有|Copyright|©|发布时间[:：]|来源[:：]|浏览次数|"
                     r"当前位置|联系电话[:：]|技术支持|网站地图")


def article_body(page_text: str, title: str = "") -> str:
    """The article's paragraphs out of a whole page's visible text: lines long enough to be
    prose, without the page chrome (navigation items are short; footer and info lines are
    recognised by their labels) and without the title heading."""
    global _LAST_CONTENT
    core = core_title(title) if title else ""
    keep, contents = [], []
    # Lines under 20 characters have fewer than 20 content characters, whatever they are: out first.
    for s in [s for s in map(str.strip, page_text.splitlines()) if len(s) >= 20]:
        if _title_chrome(s, core):
            continue
        chars, prose = _line_cached(s) if len(s) <= _PROSE_CACHE_CHARS else _line(s)
        if prose:
            keep.append(s)
            contents.append(chars)
    body = "\n".join(keep)
    # The body's content characters are its lines' (a line break is not one): the callers'
    # content_chars(body) (empty? placeholder? duplicate?) need no second pass over it.
    _LAST_CONTENT = (body, "".join(contents))
    return body


_PROSE_CACHE_CHARS = 400  # template lines are short; long paragraphs are an article's own


def _line(s: str) -> tuple[str, bool]:
    """A line's content characters, and whether it is prose."""
    chars = content_chars(s)
    n = len(chars)
    # Footer/info lines are short; a paragraph may quote a label ("联系电话：") and stays.
    return chars, not (n < 20 or (n < 90 and _CHROME.search(s)))


# The same template lines come on every page of a site: judged once.
_line_cached = functools.lru_cache(maxsize=1 << 13)(_line)


def _title_chrome(line: str, title: str) -> bool:
    """A line that is the title with little else (heading, breadcrumb, share bar): not the body
    speaking of it. A sentence restating the title ("9月5日，某某主持召开……会议。会议指出……")
    is body and stays."""
    if len(title) < 4 or title not in line:
        return False
    return len(content_chars(line.replace(title, ""))) < 20


_TITLE_SEP = re.compile(r"\s*(?:_|\||｜|——| - | -|- )\s*")


@functools.lru_cache(maxsize=64)  # an article's title is cut three times (body, title/body check, duplicates)
def core_title(title: str) -> str:
    """The article's own title, without the site name that <title> often appends."""
    parts = [p.strip() for p in _TITLE_SEP.split(title) if p.strip()]
    # Convention: "标题_站名" / "标题 - 站名" — the article's title comes first.
    return parts[0] if parts and len(parts[0]) >= 4 else title


def is_placeholder(body: str, lexicons: lx.Lexicons | None = None) -> bool:
    return _placeholder_core(content_chars(body).lower(), lexicons or lx.default())


def _placeholder_core(core: str, lex: lx.Lexicons) -> bool:
    """`is_placeholder` of a body whose content characters, lower-cased, are `core`."""
    if not core:
        return False
    if core.startswith("loremipsum"):
        return True
    if core in lex.placeholders:
        return True
    # The same placeholder repeated ("测试测试测试"): only those starting as the body does.
    for p in _repeatable(lex.placeholders).get(core[0], ()):
        if len(core) % len(p) == 0 and core.startswith(p) and core == p * (len(core) // len(p)):
            return True
    return False


@functools.lru_cache(maxsize=4)
def _repeatable(placeholders: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Placeholders of two or more characters by their first character."""
    out: dict[str, list[str]] = {}
    for p in placeholders:
        if len(p) >= 2:
            out.setdefault(p[0], []).append(p)
    return {c: tuple(ps) for c, ps in out.items()}


def check_title_body(title: str, body: str, *, min_overlap: float = 0.2,
                     lexicons: lx.Lexicons | None = None, chrome_free: bool = False) -> MismatchFinding | None:
    """One finding, or None when the body plausibly matches its title. `chrome_free`: `body`
    is `article_body(page_text, title)` for this title, whose lines are already not the title's
    heading (they are not looked at again)."""
    title = (title or "").strip()
    body = body or ""
    excerpt = body.strip()[:EXCERPT]
    core = content_chars(body)
    if _placeholder_core(core.lower(), lexicons or lx.default()):
        return MismatchFinding("placeholder", title, excerpt, f"正文为占位内容“{excerpt[:20]}”")
    if len(core) < EMPTY_BELOW:
        return MismatchFinding("empty_body", title, excerpt, "正文为空或几乎为空")
    title = core_title(title)
    grams = title_bigrams(title)
    if len(grams) < 3:
        return None  # too little in the title to judge
    # The page text usually repeats the title as a heading (and in breadcrumbs): those lines are
    # not the body speaking of it.
    body_text = body[:200_000]
    if len(title) >= 4 and title in body_text and not (chrome_free and len(body) <= 200_000):
        body_text = "\n".join(ln for ln in body_text.splitlines() if not _title_chrome(ln.strip(), title))
    # else no line is the title's; a bigram (two CJK characters) never spans a line break either way
    found = sum(1 for g in grams if g in body_text)
    overlap = found / len(grams)
    if overlap < min_overlap:
        return MismatchFinding("unrelated", title, excerpt,
                               f"标题中的关键词在正文中几乎未出现（重合 {overlap:.0%}），疑似文不对题", overlap=overlap)
    return None


def body_fingerprint(body: str) -> str | None:
    """A hash of the body's content characters (spacing and punctuation ignored); None for
    bodies too short to call two of them copies."""
    core = content_chars(body)
    if len(core) < 50:
        return None
    return hashlib.sha1(core.encode("utf-8")).hexdigest()


class DuplicateIndex:
    """Remembers body fingerprints across pages of a crawl; `add` says which earlier page had
    the same body."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[str, str]] = {}

    def add(self, url: str, title: str, body: str) -> MismatchFinding | None:
        fp = body_fingerprint(body)
        if fp is None:
            return None
        seen = self.first.get(fp)
        if seen is None:
            self.first[fp] = (url, title)
            return None
        if seen[0] == url or seen[1] == title:
            return None  # the same article reached by another address, or republished under its own title
        return MismatchFinding("duplicate", title, body.strip()[:EXCERPT],
                               f"正文与《{seen[1]}》（{seen[0]}）相同", duplicate_of=seen[0])

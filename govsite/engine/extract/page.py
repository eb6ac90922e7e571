"""`extract_page`: read one government page as a person does (one parse, one walk).

What a person reads: the site's name, its identifiers in the footer, the 找错 and conac
badges, the columns with their newest items, the article's date. What the crawler needs:
every reference on the page, with a flag when markup hides it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urldefrag, urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from govsite.engine.extract.columns import (
    TAG_NAMES,
    ColumnFinder,
    ColumnKey,
    column_type,
    is_more,
    panes_of,
    select,
    select_first,
    tag_of,
    text_stripped,
)
from govsite.engine.extract.dates import (
    DATE_LABELS,
    PUB_LABELS,
    generation_date,
    parse_full,
    segment_date,
    to_date,
    trailing_date,
)
from govsite.engine.extract.decode import decode_html
from govsite.engine.extract.facts import Column, Link, ListItem, PageFacts
from govsite.engine.extract.identity import read_identity
from govsite.engine.urls import origin

MAX_TEXT = 200_000
LIST_LABELS = ("留言时间", "回复时间", "提问时间", "访谈时间", "更新时间", "更新日期")  # bound on the visible text kept for text scanners
SERVICE_GUIDE_KEYS = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程",
                      "办理时限", "收费标准")
_LINK_SELECTOR = "a[href], area[href], img[src], script[src], iframe[src], frame[src], link[href], embed[src]"
_HID_ATTR = "data-govsite-hidden"  # a temporary mark on hidden boxes
_HIDDEN_LINKS = ", ".join(f"[{_HID_ATTR}] {sel.strip()}" for sel in _LINK_SELECTOR.split(","))
# The elements the one pass reads (`_walk` lists them as this selector list returns them): these
# tags, these tags with the attribute, and any element with both onclick and title.
_ONE_PASS = ("meta, title, base, script, a, area[href], img, iframe[src], frame[src], link[href], embed[src], "
             "[onclick][title], gsdate, style, noscript, template, textarea")
_PASS_TAGS = frozenset({"meta", "title", "base", "script", "a", "img", "gsdate", "style", "noscript", "template",
                        "textarea"})
_PASS_IF_ATTR = {"area": "href", "iframe": "src", "frame": "src", "link": "href", "embed": "src"}
_PASS_IDS = {tid: name for tid, name in TAG_NAMES.items() if name in _PASS_TAGS or name in _PASS_IF_ATTR}
_INVISIBLE = frozenset({"style", "noscript", "template", "textarea"})  # removed with scripts after the pass
# Every element once, and again for each of these it matches: the elements seen more than
# once (a few per page) are the only ones whose attributes need reading.
_ALL_ELEMENTS = "*, [onclick][title], [style], [hidden]"
_HIDE_RE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?:left|top|text-indent|margin-left|margin-top)\s*:\s*-\s*\d{3,}\s*(?:px|em|pt)?"
    r"|(?:^|;)\s*(?:width|height)\s*:\s*0(?:px)?\s*(?:;|$)[^>]*overflow\s*:\s*hidden|font-size\s*:\s*0(?:px)?\s*(?:;|$)"
)
# Inline script code kept for the security check (G-SEC-1): only code that writes or decodes markup.
_SUSPECT_JS = ("eval(", "unescape(", "document.write", "fromcharcode", "atob(", "<iframe")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:", "#")
_QUICK_DATE_RE = re.compile(r"\d{1,4}\s*[-/.年月]\s*\d{1,2}")
_PAGER_RES = (
    re.compile(r"(?:countPage|totalPage|pageCount|totalPages|page_count)\s*[=:]\s*['\"]?(\d+)", re.I),
    re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)"),
)
_TEXT_PAGER_RE = re.compile(r"共\s*(\d+)\s*页|第\s*(\d+)\s*页|(\d+)\s*/\s*(\d+)\s*页")
_TITLE_SPLIT_RE = re.compile(r"\s*(?:[-_|｜—–]+|::)\s*")
_SITE_SUFFIX_RE = re.compile(r"(?:政府|网|网站|委员会|局|厅|部|办|院|署|总局|中心|数据库|门户|平台|之窗|在线)$")
_HUB_MIN_LINKS = 12
# Footer boxes: the <footer> tag, and elements whose class or id holds one of these words.
_FOOTER_WORDS = {b"footer": "[class*=footer], [id*=footer]", b"copyright": "[class*=copyright], [id*=copyright]"}
_FOOTER = ", ".join(["footer", *_FOOTER_WORDS.values()])
_LIST_ORDER = ("ul", "ol", "table", "dl")
_LIST_TAGS = frozenset(_LIST_ORDER)
_EMPTY_LIST = {tag: f"{tag}:not(:has(a))" for tag in _LIST_ORDER}  # lists without any link
_EMPTY_LISTS = ", ".join(_EMPTY_LIST.values())
# The footer boxes and the lists without any link, in one query (each was a walk of its own).
_BOXES_AND_LISTS = f"{_FOOTER}, {_EMPTY_LISTS}"
_TAG_IDS = {name: tid for tid, name in TAG_NAMES.items()}


def _boxes_and_lists_query(low: bytes, tag_ids: set[int]) -> str:
    """`_BOXES_AND_LISTS` without the selectors that cannot match this page, whose elements
    have the tags `tag_ids` (ids) and whose source is `low` (its bytes, ASCII-lowercased): an
    attribute value holding "footer" holds it in the source, or writes it with a numeric
    character reference ("&#"; no named one writes these letters). Every selector left out
    costs a match per element in lexbor."""
    parts = ["footer"] if _TAG_IDS["footer"] in tag_ids else []
    words = [sel for word, sel in _FOOTER_WORDS.items() if word in low]
    if len(words) < len(_FOOTER_WORDS):  # a reference may write the word that is not in the source
        amp = low.find(b"&")  # (a scan for one byte is cheaper than for "&#" from the start)
        if amp != -1 and low.find(b"&#", amp) != -1:
            words = list(_FOOTER_WORDS.values())
    parts += words
    parts += [sel for tag, sel in _EMPTY_LIST.items() if _TAG_IDS[tag] in tag_ids]
    return ", ".join(parts)


def _boxes_and_lists(
    tree: LexborHTMLParser, query: str = _BOXES_AND_LISTS
) -> tuple[set[int], list[LexborNode]]:
    """What `select(tree.root, _FOOTER)` (as ids) and `select(tree.root, _EMPTY_LISTS)` return,
    from one query of both (`query`: the two, or fewer selectors as `_boxes_and_lists_query`
    leaves). A list element found is a footer box when its tag or attributes match `_FOOTER` as
    lexbor matches them (substrings, case-sensitive; an empty value matches nothing), else an
    empty list. A list that is a box is left out of the lists: every list the caller reads in a
    box is skipped as footer furniture."""
    boxes: set[int] = set()
    lists: list[LexborNode] = []
    seen: set[int] = set()
    if not query:
        return boxes, lists
    for el in select(tree.root, query):
        mid = el.mem_id
        if mid in seen:
            continue  # found again by another selector of the list
        seen.add(mid)
        if tag_of(el) in _LIST_TAGS:
            a = el.attrs
            cls = a.get("class") or ""
            eid = a.get("id") or ""
            if not ("footer" in cls or "copyright" in cls or "footer" in eid or "copyright" in eid):
                lists.append(el)
                continue
        boxes.add(mid)
    return boxes, lists


def _is_label(text: str, key: str) -> bool:
    r"""`key` shown as a label: `re.search(rf"(?:^|\n)\s*{key}\s*(?:[:：]|\n|$)", text)`, tried
    only at the occurrences of `key` (the regex, led by an alternation, was tried at every
    character of the text). str.isspace() is the regex's \s."""
    n = len(text)
    pos = text.find(key)
    while pos != -1:
        q = pos
        while q > 0 and text[q - 1].isspace():
            q -= 1
        if q == 0 or "\n" in text[q:pos]:
            e = r = pos + len(key)
            while r < n and text[r].isspace():
                r += 1
            if r == n or text[r] in ":：" or "\n" in text[e:r]:
                return True
        pos = text.find(key, pos + 1)
    return False


_HOME_PATH_RE = re.compile(r"^(?:/|/(?:index|default|home|main)\.(?:s?html?|php|jsp|aspx?))?$", re.I)


_URL_PATH_RE = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#]*([^?#]*)(\?[^#]*)?", re.I)
_WS_RE = re.compile(r"\s+")
_ONCLICK_PAGE_RE = re.compile(r"""['"]([^'"]+\.[a-z]*html?[^'"]*)['"]""")


def is_home_url(url: str) -> bool:
    """A site's home page address: the root or /index.*, with no query (a hub is a home page)."""
    m = _URL_PATH_RE.match(url)
    if not m:
        return False
    path, query = m.group(1), m.group(2)
    if query and query != "?":
        return False
    return bool(_HOME_PATH_RE.match(path or "/"))


def _clean(text: str | None) -> str:
    return _WS_RE.sub(" ", (text or "").replace("\u200b", "")).strip()


_HIDDEN_STYLES: dict[str, bool] = {}


def _is_hidden_style(style: str) -> bool:
    # Pages repeat a few inline styles hundreds of times (Word-pasted text): remember verdicts.
    v = _HIDDEN_STYLES.get(style)
    if v is None:
        v = bool(_HIDE_RE.search(style.lower()))
        if len(_HIDDEN_STYLES) > 5000:
            _HIDDEN_STYLES.clear()
        _HIDDEN_STYLES[style] = v
    return v


def _absolute(base: str, raw: str) -> str | None:
    """`raw` resolved against `base`, without fragment; None for non-navigable schemes."""
    raw = raw.strip()
    # Fast paths for the common shapes (urljoin costs ~5 µs a call, pages have hundreds).
    # Root-relative first (most links): no skipped scheme starts with '/'.
    if raw[:1] == "/":
        if "\\" in raw:
            raw = raw.replace("\\", "/")
        if raw[1:2] != "/" and "/." not in raw:
            root = _root_of(base)
            if root:
                return root + raw.split("#", 1)[0]
        return _join(base, raw)
    # (the longest skipped scheme has 11 characters: lowering a prefix is enough)
    if not raw or raw[:11].lower().startswith(_SKIP_SCHEMES):
        return None
    if "\\" in raw:
        raw = raw.replace("\\", "/")
    if raw[:1] in "hH" and raw[:8].lower().startswith(("http://", "https://")) and "/." not in raw:
        return raw.split("#", 1)[0]
    return _join(base, raw)


@lru_cache(maxsize=8192)
def _join(base: str, raw: str) -> str | None:
    # Cached: relative references repeat on the pages of one directory.
    try:
        return urldefrag(urljoin(base, raw))[0] or None
    except ValueError:
        return None


_ROOTS: dict[str, str | None] = {}


def _root_of(base: str) -> str | None:
    r = _ROOTS.get(base)
    if r is None and base not in _ROOTS:
        r = origin(base)
        if len(_ROOTS) > 1000:
            _ROOTS.clear()
        _ROOTS[base] = r
    return r


def _site_name(meta: dict[str, str], tree: LexborHTMLParser, title: str | None) -> tuple[str | None, str | None]:
    for key in ("SiteName", "sitename", "site_name", "og:site_name"):
        if meta.get(key):
            return _clean(meta[key]), "meta"
    for sel in ("[class*=logo] img[alt]", "[id*=logo] img[alt]", "header img[alt]"):
        n = select_first(tree.root, sel)
        if n is not None:
            alt = _clean(n.attributes.get("alt"))
            if 2 <= len(alt) <= 30 and _SITE_SUFFIX_RE.search(alt):
                return alt, "header"
    if title:
        parts = [p for p in _TITLE_SPLIT_RE.split(title) if p]
        for p in reversed(parts):
            if _SITE_SUFFIX_RE.search(p):
                return p, "title"
        if parts:
            return parts[-1], "title"
    return None, None


class _Anchor:
    """A list-item anchor in document order: a title (link or clickable titled element) or a date."""

    __slots__ = ("idx", "node", "kind", "title", "url", "date", "raw", "label", "mark")

    def __init__(self, idx: int, node: LexborNode, kind: str) -> None:
        self.idx = idx
        self.node = node
        self.kind = kind
        self.title = ""
        self.url: str | None = None
        self.date: date | None = None
        self.raw: str | None = None
        self.label: str | None = None
        self.mark: LexborNode | None = None


def _date_label(mark: LexborNode, own: str) -> str | None:
    """The label of a date: in its own text (发布时间：2024-01-02) or just before it
    (<span>发布时间：</span><span>2024-01-02</span>)."""
    if not own[:1].isdigit():
        for lab in DATE_LABELS:
            if own.startswith(lab):
                return lab
    el = mark
    for _ in range(3):
        if el is None:
            return None
        prev = el.prev
        pt = None
        while prev is not None:
            pt = tag_of(prev)
            if pt == "-comment" or (pt == "-text" and not (prev.text_content or "").strip()):
                prev = prev.prev
                continue
            break
        if prev is not None:
            if pt == "a":
                return None  # the item's title link
            t = _clean(prev.text_content if pt == "-text" else prev.text_lexbor())
            if t and len(t) <= 12:
                t = t.rstrip(":： ")
                for lab in DATE_LABELS:
                    if t.endswith(lab):
                        return lab
            return None
        el = el.parent
    return None


_MARK = "gsdate"  # an element wrapped around text that may be a date, so CSS finds it in C
# What a footer's box holds that is furniture; nested footer boxes are listed so they are skipped.
_IN_FOOTER = f"a, {_MARK}, ul, ol, table, dl, {_FOOTER}"
_IN_FOOTER_TAGS = frozenset({"a", _MARK, "ul", "ol", "table", "dl"})


class _Footer:
    """Which elements are footer furniture: the footer boxes, and the elements of `_IN_FOOTER`
    inside one, as a query of `_IN_FOOTER` in each box finds them. Only the anchors and empty
    lists are ever asked about, so their ancestors are looked up (remembered along the way)
    instead of querying every box (two selector walks a page)."""

    __slots__ = ("boxes", "_inside")

    def __init__(self, boxes: set[int]) -> None:
        self.boxes = boxes
        self._inside: dict[int, bool] = {}  # element -> it or an ancestor is a box

    def holds(self, node: LexborNode) -> bool:
        if node.mem_id in self.boxes:
            return True
        if tag_of(node) not in _IN_FOOTER_TAGS:
            return False
        inside = self._inside
        path: list[int] = []
        verdict = False
        n: LexborNode | None = node
        while n is not None:
            mid = n.mem_id
            known = inside.get(mid)
            if known is not None:
                verdict = known
                break
            path.append(mid)
            if mid in self.boxes:
                verdict = True
                break
            n = n.parent
        for mid in path:
            inside[mid] = verdict
        return verdict
_DIGIT_DATE_RE = re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])\s*[-/.月]\s*(?:[12]\d|3[01]|0?[1-9])(?![\d%A-Za-z])")
# A text node (between '>' and '<') holding digit-separator-digit; validated afterwards.
# Written as `>([^<>]*?\d\s*[-/.月]\s*\d[^<>]*)<` but with possessive runs of non-digits: the lazy
# form tried the date at every character of every text run.
_TEXT_WITH_DATE_RE = re.compile(r">((?:[^<>\d]++|\d(?!\s*[-/.月]\s*\d))*+\d\s*[-/.月]\s*\d[^<>]*+)<")
# The '>' of a text run holding a date separator (every run _TEXT_WITH_DATE_RE matches has one).
_SEP_RUN_RE = re.compile(r">[^<>\-/.月]*+[-/.月]")
# A <script>/<style> block is its opening tag up to the first matching closing tag.
_RAW_OPEN_RE = re.compile(r"<(script|style)\b[^>]*>", re.I)
_RAW_CLOSE_RES = {"script": re.compile(r"</(script)\s*>", re.I), "style": re.compile(r"</(style)\s*>", re.I)}


def _raw_blocks(html: str, start: int) -> Iterator[tuple[int, int]]:
    """Spans of <script>/<style> blocks, as `<(script|style)\\b[^>]*>.*?</\\1\\s*>` (re.I, re.S)
    finds them, in a quarter of the time: the lazy `.*?` tried the closing tag at every
    character of the code."""
    pos = start
    while True:
        m = _RAW_OPEN_RE.search(html, pos)
        if m is None:
            return
        name = m.group(1)
        lname = name.lower()
        rx = _RAW_CLOSE_RES.get(lname)
        c = rx.search(html, m.end()) if rx is not None else None
        # The closing name must equal the opening one case-insensitively, as a backreference.
        while c is not None and c.group(1).lower() != lname:
            c = rx.search(html, c.start() + 1)
        if c is None:
            pos = m.start() + 1  # unclosed: the regex would go on from the next character
            continue
        yield m.start(), c.end()
        pos = c.end()
_BODY_RE = re.compile(r"<body|</head", re.I)


def _mark_dates(html: str) -> str:
    """Wrap every short text node that may hold a date in <gsdate>: one regex pass over the
    source instead of visiting each text node from Python."""
    m = _BODY_RE.search(html)
    start = m.start() if m else 0
    out: list[str] = [html[:start]]  # the head, then the body's pieces: one join copies the page once
    last = start
    # Scan the gaps between <script>/<style> blocks only: their code is never shown.
    gaps: list[tuple[int, int]] = []
    pos0 = start
    for rb_start, rb_end in _raw_blocks(html, start):
        if rb_start > pos0:
            gaps.append((pos0, rb_start))
        pos0 = rb_end
    gaps.append((pos0, len(html)))
    for g0, g1 in gaps:
        # Only a run holding a separator can hold a date: a plain character-class scan finds
        # those runs, the full pattern is tried at their '>' alone (where its finditer would
        # have matched them); the full pattern scanned every text character for digits.
        for cm in _SEP_RUN_RE.finditer(html, g0, g1):
            tm = _TEXT_WITH_DATE_RE.match(html, cm.start(), g1)
            if tm is None:
                continue
            seg = tm.group(1)
            if len(seg) > 400 or not _DIGIT_DATE_RE.search(seg):
                continue
            out.append(html[last: tm.start(1)])
            out.append(f"<{_MARK}>{seg}</{_MARK}>")
            last = tm.end(1)
    if len(out) == 1:
        return html
    out.append(html[last:])
    return "".join(out)


_ATTR_NAMES = (b"style", b"hidden", b"onclick")
_BEFORE_NAME = frozenset(b" \t\n\r\x0c\"'/")  # what can stand before an attribute name in a tag
_AFTER_NAME = frozenset(b" \t\n\r\x0c/>=")  # what ends one


def _may_have_attrs(data: bytes, low: bytes | None = None) -> bool:
    """False when no element can have a style, hidden or onclick attribute: none of the names
    stands in the source where an attribute name can (after whitespace, a quote or '/', before
    whitespace, '/', '>', '=' or the end; names are ASCII, compared lowercased). A True may be
    text that looks so: the walk then asks lexbor. `low`: `data.lower()` when already made."""
    if low is None:
        low = data.lower()  # ASCII only, as HTML lowercases attribute names
    for name in _ATTR_NAMES:
        n = len(name)
        pos = low.find(name)
        while pos != -1:
            end = pos + n
            if (pos == 0 or low[pos - 1] in _BEFORE_NAME) and (end == len(low) or low[end] in _AFTER_NAME):
                return True
            pos = low.find(name, pos + 1)
    return False


def _walk(
    tree: LexborHTMLParser, attrs: bool = True, tag_ids: set[int] | None = None
) -> tuple[list[tuple[LexborNode, str]], list[LexborNode]]:
    """What `tree.css(_ONE_PASS)` returns, in its order, each with its tag (an element once per
    selector of the list it matches: its tag, then [onclick][title]), and the elements hidden by
    their style or the hidden attribute. One walk over every element: the tag is read for each,
    the attributes only of the few elements the walk returns more than once (the selector list
    of 17 cost four times this walk, and the style query another walk). The walk without
    attribute selectors also adds the tag id of every element (comments too) to `tag_ids`."""
    visits: list[tuple[LexborNode, str]] = []
    hiders: list[LexborNode] = []
    prev_id = checked_id = -1
    tag = ""
    if not attrs:
        # No element has those attributes: "*" alone returns the same elements, each once, as
        # does a depth-first traverse from the root (comments too, skipped) without the selector
        # engine's matching (a fifth less for the walk). Standard tags are told by their id.
        names, pass_ids = TAG_NAMES, _PASS_IDS
        seen = (tag_ids if tag_ids is not None else set()).add
        for el in tree.root.traverse():
            tid = el.tag_id
            seen(tid)
            tag = pass_ids.get(tid)
            if tag is None:
                if tid in names:
                    continue  # a standard tag the pass does not read, or a comment
                tag = el.tag or ""  # a custom tag (per-document id): <gsdate> the one read
                if tag not in _PASS_TAGS:
                    continue
            elif tag in _PASS_IF_ATTR and _PASS_IF_ATTR[tag] not in el.attrs:
                continue
            visits.append((el, tag))
        return visits, hiders
    for el in select(tree.root, _ALL_ELEMENTS):
        mid = el.mem_id
        if mid == prev_id:
            if mid != checked_id:
                checked_id = mid
                a = el.attributes
                if "onclick" in a and "title" in a:
                    visits.append((el, tag))
                if "hidden" in a or ("style" in a and _is_hidden_style(a["style"] or "")):
                    hiders.append(el)
            continue
        prev_id = mid
        tag = TAG_NAMES.get(el.tag_id) or el.tag or ""
        if tag in _PASS_TAGS or (tag in _PASS_IF_ATTR and _PASS_IF_ATTR[tag] in el.attrs):
            visits.append((el, tag))
    return visits, hiders


def extract_page(
    html: str | bytes,
    url: str,
    *,
    as_of: date | datetime | None = None,
    encoding: str | None = None,
    want_nav: bool = True,
) -> PageFacts:
    """The facts of one page. `html` may be bytes (decoded from BOM, meta charset, detection;
    `encoding` is the HTTP header's charset). `as_of` anchors years of short dates when the
    page carries no generation time of its own. `want_nav=False` leaves `nav` empty (the
    crawl and the indicators never read it; it costs two selector queries)."""
    if isinstance(html, (bytes, bytearray, memoryview)):
        html, _enc = decode_html(bytes(html), encoding)
    html = _mark_dates(html.replace("\x00", ""))
    facts = PageFacts(url=url)
    # Encoded here as the parser would encode the str (same bytes, same tree): the bytes also
    # tell cheaply whether any element can carry a style, hidden or onclick attribute.
    data = html.encode("utf-8", "ignore")
    tree = LexborHTMLParser(data)
    base = url

    # Hidden subtrees (inline styles and the hidden attribute; stylesheets are not evaluated).
    low_data = data.lower()  # ASCII only: what the source may hold, for the walk and the footer query
    plain = not _may_have_attrs(data, low_data)
    tag_ids: set[int] = set()  # the tags of the page's elements, when the plain walk lists them
    visits, hiders = _walk(tree, not plain, tag_ids)
    hidden = {el.mem_id for el in hiders}
    if hiders:
        # The references inside hidden boxes: mark the boxes, then one selector query finds
        # them all (a query per box cost ~20 µs each); the marks are removed right after.
        for el in hiders:
            el.attrs[_HID_ATTR] = ""
        for d in select(tree.root, _HIDDEN_LINKS):
            hidden.add(d.mem_id)
        for el in hiders:
            del el.attrs[_HID_ATTR]

    # One pass over the elements that matter, in document order: head tags, every reference
    # (links), scripts (identity badges, pagers), and the anchors of list items (titles, dates).
    meta: dict[str, str] = {}
    meta_values: list[str] = []
    title = ""
    links: list[Link] = []
    a_text: dict[int, str] = {}
    a_url: dict[int, str | None] = {}
    id_anchors: list[tuple[str, str]] = []
    inline_scripts: list[str] = []
    id_images: list[tuple[dict[str, str | None], str]] = []
    id_scripts: list[tuple[dict[str, str | None], str, str]] = []
    pager_code: list[str] = []
    date_cands: list[tuple[int, LexborNode, str]] = []
    a_order: list[tuple[int, LexborNode]] = []  # titled clickable elements other than links
    a_titles: list[_Anchor] = []  # links that may be list-item titles
    has_hidden = bool(hidden)
    invisible: list[LexborNode] = []
    invisible_ids: set[int] = set()
    for i, (n, tag) in enumerate(visits):
        if tag == "a":
            attrs = n.attrs
            raw = attrs.get("href")
            if raw is None:
                continue
            absu = _absolute(base, raw)
            txt = text_stripped(n)
            if len(txt) > 200:
                txt = txt[:200]
            if "  " in txt or "\n" in txt or "\u200b" in txt:
                txt = _clean(txt)
            mid = n.mem_id
            a_text[mid] = txt
            a_url[mid] = absu
            low = raw.lower()
            if "jiucuo" in low or "conac" in low or "recordcode" in low:
                id_anchors.append((raw, n.html or ""))
            if absu:
                links.append(Link(absu, txt, "a", has_hidden and mid in hidden))
            # A list item's title, decided here while text and target are at hand.
            if len(txt) >= 6 and (absu is not None or len(txt) >= 8) and not is_more(txt):
                an = _Anchor(i, n, "T")
                an.title, an.url = txt, absu
                a_titles.append(an)
        elif tag == _MARK:
            st = n.text_lexbor().strip()
            if st and len(st) <= 160:
                date_cands.append((i, n, st))
        elif tag == "img":
            a = n.attributes
            if a.get("onclick") and a.get("title"):
                a_order.append((i, n))
            src = a.get("src")
            if src is None:
                continue
            absu = _absolute(base, src)
            low = (src + (a.get("alt") or "") + (a.get("title") or "")).lower()
            if "jiucuo" in low or "zhaocuo" in low or "找错" in low or "纠错" in low or a.get("onclick"):
                par = n.parent
                id_images.append((a, (par.html if par is not None and tag_of(par) in ("span", "a") else n.html) or ""))
            if absu:
                links.append(Link(url=absu, text=_clean(a.get("alt")), tag="img", hidden=has_hidden and n.mem_id in hidden))
        elif tag == "script":
            if n.mem_id not in invisible_ids:
                invisible_ids.add(n.mem_id)
                invisible.append(n)
            a = n.attributes
            src = a.get("src")
            if src is not None:
                absu = _absolute(base, src)
                if absu:
                    links.append(Link(url=absu, text="", tag="script", hidden=has_hidden and n.mem_id in hidden))
                lows = src.lower()
                if (a.get("id") or "").lower() == "_jiucuo_" or "jiucuo" in lows or "conac" in lows:
                    id_scripts.append((a, "", (n.html or "")[:400]))
                continue
            code = n.text_lexbor()
            low = code.lower()
            if (a.get("id") or "").lower() == "_jiucuo_":
                id_scripts.append((a, "", (n.html or "")[:400]))
            elif "jiucuo" in low or "conac" in low:
                id_scripts.append((a, code[:4000], code[:400]))
            if "page" in low and len(code) < 20000:
                pager_code.append(code)
            if len(inline_scripts) < 20 and any(k in low for k in _SUSPECT_JS):
                inline_scripts.append(code[:5000])
        elif tag == "meta":
            a = n.attributes
            name = a.get("name") or a.get("http-equiv") or a.get("property") or a.get("itemprop")
            content = a.get("content")
            if name and content is not None:
                meta.setdefault(name.strip(), content.strip())
                meta_values.append(content)
        elif tag == "title":
            if not title:
                title = _clean(n.text_lexbor().replace(f"<{_MARK}>", "").replace(f"</{_MARK}>", ""))
        elif tag == "base":
            href = n.attrs.get("href")
            if href and base == url:
                base = _absolute(url, href) or url
        elif tag in ("area", "link", "iframe", "frame", "embed"):
            raw = n.attrs.get("href" if tag in ("area", "link") else "src") or ""
            absu = _absolute(base, raw)
            if absu:
                links.append(Link(url=absu, text="", tag=tag, hidden=has_hidden and n.mem_id in hidden))
        elif tag in _INVISIBLE:
            # The selector list returns an element once per selector it matches: a second visit
            # is its [onclick][title] match, a clickable title as below.
            if n.mem_id in invisible_ids:
                a_order.append((i, n))
            else:
                invisible_ids.add(n.mem_id)
                invisible.append(n)
        else:  # a clickable titled element (<p onclick=… title=…>): an item title without a link
            a_order.append((i, n))
    facts.meta = meta
    facts.title = title or None
    facts.links = links
    facts.inline_scripts = inline_scripts

    # Visible content only from here on.
    # (as strip_tags(["script", "style", "noscript", "template", "textarea"]) without its five walks)
    for n in invisible:
        n.decompose(recursive=False)
    body = tree.body or tree.root
    text = body.text(deep=True, separator="\n", strip=True) if body is not None else ""
    text = text[:MAX_TEXT]
    facts.text = text

    # Identity.
    ident = read_identity(text, meta, id_scripts, id_anchors, id_images)
    facts.site_code = ident.site_code
    facts.site_code_sources = ident.site_code_sources
    facts.jiucuo_entry = ident.jiucuo_entry
    facts.jiucuo_detail = ident.jiucuo_detail
    facts.conac_badge = ident.conac_badge
    facts.icp = ident.icp
    facts.police_record = ident.police_record
    facts.sponsor = ident.sponsor
    facts.operator = ident.operator
    facts.contact = ident.contact
    facts.site_name, facts.site_name_source = _site_name(meta, tree, title)

    # Reference for short dates: the page's own generation time, unless it is after as_of.
    ref_as_of = to_date(as_of)
    gen = generation_date(meta_values, text[:3000])
    reference = gen if gen is not None and (ref_as_of is None or gen <= ref_as_of) else ref_as_of

    # Item anchors: dates shown on their own, and titles.
    anchors: list[_Anchor] = []
    content: set[int] = set()
    pub_dates: list[date] = []

    def mark(node: LexborNode | None) -> None:
        while node is not None and node.mem_id not in content:
            content.add(node.mem_id)
            node = node.parent

    for i, tn, st in date_cands:
        seg = segment_date(st, reference)
        parent = tn.parent
        if seg is None:
            if parent is None or tag_of(parent) == "a" or len(st) < 14:
                continue
            d = trailing_date(st)
            if d is None:
                continue
            seg = (d, False)
        label = _date_label(tn, st)
        if label in PUB_LABELS:
            if seg[0] is not None:
                pub_dates.append(seg[0])
            continue  # the page's own date, not a list item
        an = _Anchor(i, parent, "D")
        an.date, an.raw, an.label, an.mark = seg[0], st, label, tn
        anchors.append(an)
        mark(parent)
    for an in a_titles:
        anchors.append(an)
        if len(an.title) >= 12:
            mark(an.node)
    for i, n in a_order:
        txt = _clean(n.attributes.get("title") or n.text_lexbor())[:200]
        if len(txt) < 6:
            continue
        m = _ONCLICK_PAGE_RE.search(n.attributes.get("onclick") or "")
        an = _Anchor(i, n, "T")
        an.title, an.url = txt, _absolute(base, m.group(1)) if m else None
        anchors.append(an)
        mark(n)
    anchors.sort(key=lambda x: x.idx)
    # The footer's links and dates are site furniture, not a column.
    query = _boxes_and_lists_query(low_data, tag_ids) if plain else _BOXES_AND_LISTS
    boxes, empty_lists = _boxes_and_lists(tree, query)
    footer = _Footer(boxes)
    if footer.boxes:
        anchors = [a for a in anchors if not footer.holds(a.mark or a.node)]

    finder = ColumnFinder(content)
    keyed: dict[tuple[int, int], tuple[ColumnKey, list[_Anchor]]] = {}
    loose: list[_Anchor] = []
    for an in anchors:
        key = finder.find(an.node, is_date=an.kind == "D")
        if key is None:
            loose.append(an)
            continue
        k = (key.heading_id, key.index)
        if k not in keyed:
            keyed[k] = (key, [])
        keyed[k][1].append(an)
    # Links that are heading labels are not items of their own column.
    label_ids: set[int] = set()
    for hn in finder.heading_nodes.values():
        for a in select(hn, "a"):
            label_ids.add(a.mem_id)
        label_ids.add(hn.mem_id)

    if pub_dates:
        facts.article_pub_date = pub_dates[0]
    elif meta.get("PubDate") or meta.get("pubdate"):
        facts.article_pub_date = parse_full(meta.get("PubDate") or meta.get("pubdate") or "")
    is_article = facts.article_pub_date is not None

    columns: list[Column] = []
    seen_keys: set[tuple[int, int]] = set()
    real_lists: set[tuple[int, int]] = set()  # columns that are lists of news-like items
    for k, (key, ans) in keyed.items():
        if not _good_name(key.name):
            continue
        ans = [a for a in ans if not (a.kind == "T" and a.node.mem_id in label_ids)]
        if is_article and not any(a.kind == "T" for a in ans):
            # On an article, an unlabelled date without a title is the article's own (byline,
            # signature); labelled ones (留言时间) belong to lists shown beside it.
            ans = [a for a in ans if a.kind == "T" or a.label in LIST_LABELS]
        items = _pair(ans)
        if not items:
            continue
        if not any(it.date for it in items) and all(len(it.title) < 6 for it in items):
            continue  # a row of short links: navigation, not a list
        seen_keys.add(k)
        if sum(1 for it in items if it.date or len(it.title) >= 8) >= 2 or any(it.date for it in items):
            real_lists.add(k)
        columns.append(Column(name=key.name, url=_absolute(base, key.url or "") if key.url else None,
                              type=column_type(key.name), items=items))
    if not columns and not is_article:
        dated = [a for a in loose if a.kind == "D" and a.date]
        if len(dated) >= 2:  # a list without a heading; one stray date is the page's own
            name = meta.get("ColumnName") or title or "列表"
            columns.append(Column(name=name, url=None, type=column_type(name), items=_pair(loose)))
    # Blank columns: tabs with empty panes, headings above empty lists.
    names_seen = {c.name for c in columns}
    for hid, hn in finder.heading_nodes.items():
        h = finder.heading(hn)
        if h is None or h.kind != "tabs":
            continue
        if not any(k[0] == hid for k in real_lists):
            continue
        panes = panes_of(hn, len(h.labels))
        if panes is None:
            continue  # panes not lined up with the labels: an empty one cannot be told
        for i, lab in enumerate(h.labels):
            if i < len(panes) and _pane_has_items(panes[i], a_text):
                continue  # the pane has items (perhaps under their own sub-titles): not blank
            if (hid, i) not in seen_keys and _good_name(lab) and lab not in names_seen:
                seen_keys.add((hid, i))
                names_seen.add(lab)
                columns.append(Column(name=lab, url=_absolute(base, h.urls[i] or "") if h.urls[i] else None,
                                      type=column_type(lab)))
    # Lists without any link (found with the footer boxes; one query, not a css_first("a") per list).
    for lst in empty_lists:
        if footer.boxes and footer.holds(lst):
            continue
        tag = tag_of(lst)
        if tag in ("ul", "ol") and select_first(lst, "li") is not None:
            continue
        if tag == "table" and select_first(lst, "td") is not None:
            continue
        if tag == "dl":
            # <dl><dt>name</dt></dl> with no <dd>: the dt names the empty list.
            dt = select_first(lst, "dt")
            if select_first(lst, "dd") is not None or dt is None:
                continue
            h = finder.heading(dt)
            if h is not None and h.kind == "title" and _good_name(h.labels[h.title]):
                k2 = (dt.mem_id, h.title)
                if k2 not in seen_keys and h.labels[h.title] not in names_seen:
                    seen_keys.add(k2)
                    nm = h.labels[h.title]
                    u2 = h.urls[h.title]
                    columns.append(Column(name=nm, url=_absolute(base, u2) if u2 else None, type=column_type(nm)))
                    names_seen.add(nm)
            continue
        key = finder.find(lst)
        if key is None or (key.heading_id, key.index) in seen_keys or not _good_name(key.name):
            continue
        # Only a title right above the empty list names it (a far tab bar may be mis-mapped).
        hn = finder.heading_nodes.get(key.heading_id)
        hk = finder.heading(hn) if hn is not None else None
        anc, near = lst.parent, False
        for _ in range(3):
            if anc is None:
                break
            if hn is not None and hn.parent is not None and anc.mem_id == hn.parent.mem_id:
                near = True
                break
            anc = anc.parent
        if near and hk is not None and hk.kind == "title" and key.name not in names_seen:
            seen_keys.add((key.heading_id, key.index))
            names_seen.add(key.name)
            columns.append(Column(name=key.name, url=_absolute(base, key.url or "") if key.url else None,
                                  type=column_type(key.name)))
    facts.columns = columns

    # Dates of list items (a signature date or the article's own date is not a list date).
    found = {it.date for c in columns for it in c.items if it.date}
    facts.dates_found = sorted(found, reverse=True)
    facts.pagination = _pagination(text, pager_code)
    # A guide element is a label: a cell of its own (<th>事项名称</th>) or a line "事项名称：…";
    # the words inside prose or the footer's 联系电话 mid-line do not count.
    present = [k for k in SERVICE_GUIDE_KEYS if _is_label(text, k)]
    facts.service_guide_elements = present if len(present) >= 4 else None
    if want_nav:
        facts.nav = _nav(tree, a_text, a_url)
    dated_items = sum(1 for c in columns for it in c.items if it.date)
    facts.is_hub = (dated_items == 0 and facts.article_pub_date is None and facts.service_guide_elements is None
                    and is_home_url(url)
                    and len({lk.url for lk in links if lk.tag == "a" and not lk.hidden}) >= _HUB_MIN_LINKS)
    return facts


def _pane_has_items(pane: LexborNode, a_text: dict[int, str]) -> bool:
    """Any titled link or shown date inside: an image-only "more" link does not count."""
    if select_first(pane, _MARK) is not None:
        return True
    for a in select(pane, "a"):
        t = a_text.get(a.mem_id, "")
        if len(t) >= 4 and not is_more(t):
            return True
    return False


_BAD_NAME_RE = re.compile(r"[:：]$|^[\[【(（].*[\]】)）]$|位置|^\W*$")


def _good_name(name: str) -> bool:
    """A column name a person would read as one: not a label awaiting a value, a date, a
    bracketed button or a breadcrumb prompt."""
    if len(name) < 2 or is_more(name) or _BAD_NAME_RE.search(name):
        return False
    return parse_full(name) is None


def _pair(anchors: list[_Anchor]) -> list[ListItem]:
    """Pair titles with their dates in document order (title-then-date or date-then-title rows)."""
    items: list[ListItem] = []
    last_title: ListItem | None = None
    pending: _Anchor | None = None
    seen: set[tuple[str, str | None]] = set()
    for a in anchors:
        if a.kind == "T":
            if (a.title, a.url) in seen:
                continue
            seen.add((a.title, a.url))
            it = ListItem(title=a.title, url=a.url, date=None)
            if pending is not None:
                it.date, it.raw_date = pending.date, pending.raw
                pending = None
                last_title = None
            else:
                last_title = it
            items.append(it)
        else:
            if last_title is not None:
                last_title.date, last_title.raw_date = a.date, a.raw
                last_title = None
            elif pending is not None:
                # Two dates in a row: the first stands alone (an item whose title is not a link).
                items.append(ListItem(title="", url=None, date=pending.date, raw_date=pending.raw))
                pending = a
            else:
                pending = a
    if pending is not None:
        items.append(ListItem(title="", url=None, date=pending.date, raw_date=pending.raw))
    return items


def _pager_matches(text: str) -> list[re.Match[str]]:
    """`_TEXT_PAGER_RE.finditer(text)`, tried only just before each 页: every form ends with
    it and holds nothing but 共, 第, digits, spaces and '/' before it, so a match ends at the
    first 页 after its start (scanning the whole text tried every digit)."""
    out: list[re.Match[str]] = []
    pos = 0
    p = text.find("页")
    while p != -1:
        q = p
        while q > pos:
            c = text[q - 1]
            if c in "共第/" or c.isdecimal() or c.isspace():  # isdecimal/isspace: \d and \s
                q -= 1
            else:
                break
        if q < p:
            m = _TEXT_PAGER_RE.search(text, q, p + 1)
            if m is not None:
                out.append(m)
                pos = m.end()
        p = text.find("页", p + 1)
    return out


def _pagination(text: str, code: list[str]) -> dict[str, int] | None:
    pages = page = None
    for c in code:
        for rx in _PAGER_RES:
            m = rx.search(c)
            if m:
                if m.lastindex == 2:
                    pages, page = int(m.group(1)), int(m.group(2)) + 1  # TRS: (count, zero-based current)
                else:
                    pages = int(m.group(1))
                break
        if pages:
            break
    for m in _pager_matches(text):
        if m.group(1) and pages is None:
            pages = int(m.group(1))
        elif m.group(2) and page is None:
            page = int(m.group(2))
        elif m.group(3):
            page = page or int(m.group(3))
            pages = pages or int(m.group(4))
    if pages is None:
        return None
    return {"page": page or 1, "pages": pages}


def _nav(tree: LexborHTMLParser, a_text: dict[int, str], a_url: dict[int, str | None]) -> list[Link]:
    for cand in select(tree.root, "nav, [class*=nav], [id*=nav], [class*=menu], [id*=menu]"):
        links = []
        for a in select(cand, "a[href]"):
            mid = a.mem_id
            txt = a_text.get(mid, "")
            u = a_url.get(mid)
            if u and 1 < len(txt) <= 12:
                links.append(Link(url=u, text=txt))
        if len(links) >= 4:
            return links
    return []

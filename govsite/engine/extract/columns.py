"""Columns (栏目) as a person sees them: a heading or a tab label above a list of dated items.

The page module finds the anchors of list items (title links and dates shown on their own).
From each anchor we walk up the tree; at each level the nearest preceding sibling that carries
text decides: a block with items blocks the search at that level (it is a neighbour, not a
title), a short text block is the heading. A heading with several labels is a tab bar: its
panes follow it (as siblings, or as the children of one wrapper) and pane i belongs to label
i; when the panes do not line up with the labels it is a filter bar and the search goes on for
the real title. Results are cached per node, so the whole page costs about one pass."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

SKIP_TAGS = frozenset({"script", "style", "link", "meta", "br", "hr", "img", "input", "noscript", "template",
                       "iframe", "select", "button", "svg", "-comment", "-text", "option", "map", "area"})
ROW_TAGS = frozenset({"tr", "td", "th", "li", "dd", "option", "tbody", "thead"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
MORE_RE = re.compile(r"^(?:更多|查看更多|more|>+|»|\+|更多\s*[>»+]+|[>»]*\s*more\s*[>»+]*|进入|更多信息)$", re.I)
_TITLE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:c-)?(?:tit|title\d*|bt|name|lmmc|column-?name|caption|heading)(?:$|[\s_-]|\d)", re.I)
_ACTIVE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:on|cur|current|active|select|selected|hover|cur_i|now)(?:$|[\s_-])", re.I)
# One alphanumeric character: `[^\W_]` is exactly str.isalnum() (\w is isalnum() plus "_").
_ALNUM_RE = re.compile(r"[^\W_]")
MAX_LABEL = 20
MAX_LABELS = 12

# Column type by name keywords; first match wins, so specific words come first.
_TYPE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("disclosure", ("信息公开", "公开目录", "公开指南", "公开年报", "公开制度", "公开年度报告")),
    ("interaction", ("互动", "咨询", "信箱", "留言", "访谈", "征集", "调查", "问卷", "投诉", "建议", "民意", "问答")),
    ("personnel", ("人事", "任免", "任职", "招聘", "招录", "录用", "干部")),
    ("plan", ("规划", "计划", "总结")),
    ("policy", ("政策", "文件", "法规", "法律", "规章", "条例", "宪法", "司法解释", "解读", "规范性")),
    ("notice", ("通知", "公告", "公示", "通告", "公报")),
    ("service", ("办事", "服务", "指南", "办理", "查询", "审批", "便民")),
    ("news", ("要闻", "动态", "新闻", "资讯", "快讯", "头条", "热点", "信息", "速递", "通报", "发布", "工作")),
)


def _standard_tag_names() -> dict[int, str]:
    """tag_id -> name for the standard HTML tags (and text/comment nodes). Custom tags
    (<gsdate>, <foo-bar>) get per-document ids and are left to `node.tag`."""
    doc = LexborHTMLParser("<p>t<!--c--></p>")
    names: dict[int, str] = {}
    for n in doc.root.traverse(include_text=True):
        if n.tag in ("-text", "-comment"):
            names[n.tag_id] = n.tag
    for name in _HTML_TAGS.split():
        n = doc.create_node(name)
        if n.tag == name and n.tag_id < 1 << 16:
            names[n.tag_id] = name
    return names


_HTML_TAGS = ("a abbr address area article aside audio b base bdi bdo big blockquote body br button canvas caption "
              "center cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset "
              "figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html i iframe img "
              "input ins kbd label legend li link main map mark marquee menu meta meter nav nobr noscript object ol "
              "optgroup option output p param picture pre progress q rp rt ruby s samp script section select small "
              "source span strike strong style sub summary sup table tbody td template textarea tfoot th thead time "
              "title tr track tt u ul var video wbr")
TAG_NAMES = _standard_tag_names()  # tag_id -> name; walks that inline tag_of() read it too


def tag_of(node: LexborNode) -> str | None:
    """`node.tag` without decoding the name: the getter costs ~4x the integer tag id."""
    name = TAG_NAMES.get(node.tag_id)
    return name if name is not None else node.tag


SPACE_RE = re.compile(r"\s")  # what str.strip() removes (both use Py_UNICODE_ISSPACE)


def text_stripped(node: LexborNode) -> str:
    """`node.text(deep=True, strip=True)`: every text node stripped, joined. When the whole
    text, stripped, holds no whitespace, the spaces were all at its two ends, so stripping the
    whole equals stripping each piece: lexbor's own concatenation (`text_lexbor`) gives it without
    the Python callback `text()` runs for each text node (several times the cost)."""
    whole = node.text_lexbor().strip()
    if SPACE_RE.search(whole) is None:
        return whole
    return node.text(deep=True, strip=True)


_SELECTORS = threading.local()


def _selector() -> LexborCSSSelector:
    # One selector engine per thread for every document: `node.css()` makes one per parsed
    # document (a CSS parser and matcher set up and torn down for each page). A thread of its
    # own, since the crawler parses large pages in worker threads.
    try:
        return _SELECTORS.sel
    except AttributeError:
        sel = _SELECTORS.sel = LexborCSSSelector()
        return sel


def select(node: LexborNode, query: str) -> list[LexborNode]:
    """`node.css(query)`."""
    return _selector().find(query, node)


def select_first(node: LexborNode, query: str) -> LexborNode | None:
    """`node.css_first(query)`."""
    found = _selector().find_first(query, node)
    return found[0] if found else None


@lru_cache(maxsize=4096)
def column_type(name: str) -> str:
    for kind, words in _TYPE_RULES:
        if any(w in name for w in words):
            return kind
    return "other"


@lru_cache(maxsize=8192)
def is_more(text: str) -> bool:
    # Cached: menu and footer link texts repeat on every page of a site.
    return bool(MORE_RE.match(text.strip()))


@dataclass
class Heading:
    kind: str  # title | tabs
    labels: list[str]
    urls: list[str | None]
    title: int = 0  # index of the title label when kind == title
    active: int | None = None  # index of the highlighted tab, if any


@dataclass
class ColumnKey:
    heading_id: int
    index: int
    name: str
    url: str | None


@dataclass
class _State:
    content: set[int]  # ids of nodes that contain an item anchor (never a heading)
    memo: dict[int, ColumnKey | None] = field(default_factory=dict)
    scans: dict[tuple[int, bool], tuple[LexborNode, Heading] | str | None] = field(default_factory=dict)
    headings: dict[int, Heading | None] = field(default_factory=dict)
    heading_nodes: dict[int, LexborNode] = field(default_factory=dict)


def _classes(node: LexborNode) -> str:
    attrs = node.attributes
    return (attrs.get("class") or "") + " " + (attrs.get("id") or "")


def read_heading(node: LexborNode) -> Heading | None:
    """Labels of a short text block, or None when it has none (decoration) or is content-like
    (too many or too long labels)."""
    # Fast path in C: the text nodes, stripped, one per part.
    raw = node.text(deep=True, separator="\x1f", strip=True)
    if not raw:
        return None
    if len(raw) > 400:
        return Heading("content", [], [])
    parts = [p for p in raw.split("\x1f") if _ALNUM_RE.search(p) and not is_more(p)]
    if not parts:
        return None
    if max(map(len, parts)) > MAX_LABEL:
        return Heading("content", [], [])
    if len(parts) > MAX_LABELS + 2:
        # Many short labels and no titles: a filter or link bar, looked past like decoration.
        return None if sum(map(len, parts)) <= 6 * len(parts) else Heading("content", [], [])
    if len(parts) == 1:
        if ":" in parts[0] or "：" in parts[0]:
            return None  # a field (留言时间：, 状态：已答复), not a title
        a = node if tag_of(node) == "a" else select_first(node, "a[href]")
        return Heading("title", parts, [a.attrs.get("href") if a is not None else None])
    labels: list[str] = []
    urls: list[str | None] = []
    owners: list[LexborNode] = []
    total = 0
    visited = 0
    for n in node.traverse(include_text=True):
        visited += 1
        if visited > 400:
            return None  # a large block with little text (images, widgets): decoration
        nt = tag_of(n)
        if nt != "-text":
            if nt in ("script", "style", "select", "option", "textarea"):
                return None  # widgets and code: not a title bar
            continue
        t = (n.text_content or "").strip()
        if not t or t in ("-->", "<!--", "|", "｜", "/", "·") or t.startswith("-&gt;") or t == "->":
            continue
        if is_more(t):
            continue
        total += len(t)
        if len(t) > MAX_LABEL:
            return Heading("content", [], [])
        if not _ALNUM_RE.search(t):
            continue  # icon-font glyphs and punctuation
        owner = n.parent
        # Merge pieces of one label split by inline markup (<a><b>政务</b>要闻</a>).
        while owner is not None and tag_of(owner) in ("b", "strong", "em", "font", "i", "span", "u") and owner is not node \
                and owner.parent is not None and tag_of(owner.parent) in ("a", "b", "strong", "font", "span", "em"):
            owner = owner.parent
        if owners and owner is not None and owner.mem_id == owners[-1].mem_id:
            labels[-1] += t
            continue
        labels.append(t)
        owners.append(owner)
        a = owner
        href = None
        while a is not None and a.mem_id != node.mem_id and tag_of(a) != "a":
            a = a.parent
        if a is not None and tag_of(a) == "a":
            href = a.attributes.get("href")
        elif tag_of(node) == "a":
            href = node.attributes.get("href")
        urls.append(href)
        if len(labels) > MAX_LABELS:
            # Many short labels and no titles: a filter or link bar, looked past like decoration.
            return None if total <= 6 * len(labels) else Heading("content", [], [])
    if not labels:
        return None
    if len(labels) == 1 and (":" in labels[0] or "：" in labels[0]):
        return None  # a field (留言时间：, 状态：已答复), not a title
    if len(labels) == 1:
        return Heading("title", labels, urls)
    # A title inside the bar (h3, class="title") names the column; the other labels are tabs
    # or filters of the same column.
    own_id = node.mem_id
    h = select_first(node, "h1, h2, h3, h4, h5, h6")
    if h is not None:
        ht = text_stripped(h)
        for i, lab in enumerate(labels):
            if lab == ht:
                return Heading("title", labels, urls, title=i)
    for i, owner in enumerate(owners):
        o = owner
        while o is not None and o.mem_id != own_id:
            if tag_of(o) in HEADING_TAGS or _TITLE_CLASS_RE.search(_classes(o)):
                return Heading("title", labels, urls, title=i)
            o = o.parent
    active = None
    for i, owner in enumerate(owners):
        o = owner
        while o is not None and o.mem_id != own_id:
            if _ACTIVE_CLASS_RE.search(o.attributes.get("class") or ""):
                active = i
                break
            o = o.parent
        if active is not None:
            break
    return Heading("tabs", labels, urls, active=active)


def _elements_after(node: LexborNode) -> list[LexborNode]:
    out = []
    n = node.next
    while n is not None:
        if tag_of(n) not in SKIP_TAGS:
            out.append(n)
        n = n.next
    return out


def _element_children(node: LexborNode) -> list[LexborNode]:
    out = []
    n = node.child
    while n is not None:
        if tag_of(n) not in SKIP_TAGS:
            out.append(n)
        n = n.next
    return out


def _first_class(n: LexborNode) -> str:
    c = n.attrs.get("class") or ""
    return c.split()[0] if c.strip() else ""


def _same_kind(a: LexborNode, b: LexborNode) -> bool:
    """Same tag and same main class: peers built from one template."""
    return tag_of(a) == tag_of(b) and _first_class(a) == _first_class(b)


def _uniform(panes: list[LexborNode]) -> bool:
    return all(_same_kind(p, panes[0]) for p in panes[1:])


def panes_of(bar: LexborNode, k: int) -> list[LexborNode] | None:
    """The panes of a k-label tab bar (siblings after it, or the children of one wrapper)."""
    panes = _elements_after(bar)
    if panes and _same_kind(panes[0], bar):
        return None  # a run of peer lists (a sitemap), not a bar and its panes
    if len(panes) >= 2:
        if len(panes) > k + 1 or not _uniform(panes[:k]):
            return None
        return panes[:k]
    if not panes:
        return None
    node = panes[0]
    for _ in range(3):
        kids = _element_children(node)
        if len(kids) == 1:
            node = kids[0]
            continue
        return kids if len(kids) == k else None
    return None


def _pane_index(bar: LexborNode, k: int, current: LexborNode, path: set[int]) -> tuple[int, LexborNode] | None:
    """Which pane of a k-label tab bar holds `current` (the ancestor of our anchor that is the
    bar's next-or-later sibling); returns (index, pane node) or None when panes do not line up."""
    panes = _elements_after(bar)
    if panes and _same_kind(panes[0], bar):
        return None  # a run of peer lists (a sitemap), not a bar and its panes
    if len(panes) >= 2:
        if len(panes) > k + 1 or not _uniform(panes[:k]):
            return None  # tab panes are built from one template
        for i, p in enumerate(panes):
            if p.mem_id == current.mem_id:
                return (i, p) if i < k else None
        return None
    node = current
    for _ in range(3):
        kids = _element_children(node)
        if len(kids) == 1:
            node = kids[0]
            continue
        if len(kids) != k:
            return None
        for i, kid in enumerate(kids):
            if kid.mem_id in path:
                return i, kid
        return None
    return None


class ColumnFinder:
    """Resolves item anchors (elements) to the column they are shown under."""

    def __init__(self, content_ids: set[int]) -> None:
        self.s = _State(content=content_ids)

    @property
    def heading_nodes(self) -> dict[int, LexborNode]:
        return self.s.heading_nodes

    def heading(self, node: LexborNode) -> Heading | None:
        mid = node.mem_id
        if mid not in self.s.headings:
            self.s.headings[mid] = read_heading(node)
        return self.s.headings[mid]

    def _scan_level(self, node: LexborNode, in_row: bool = False) -> tuple[LexborNode, Heading] | str | None:
        """Nearest heading among the previous siblings of `node`; 'blocked' when content comes first.
        `in_row`: `node` holds a date, so a link beside it is the item's own title."""
        # A pure function of the node (content ids are fixed): columns sharing ancestors and
        # sub-titles looking for their tab bar ask about the same levels again.
        k = (node.mem_id, in_row)
        scans = self.s.scans
        if k in scans:
            return scans[k]
        r = scans[k] = self._scan(node, in_row)
        return r

    def _scan(self, node: LexborNode, in_row: bool) -> tuple[LexborNode, Heading] | str | None:
        ntag = tag_of(node)
        if ntag == "dd":
            # <dl><dt>name</dt><dd>item</dd>…: the dt before the rows titles them.
            sib = node.prev
            while sib is not None and tag_of(sib) != "dt":
                sib = sib.prev
            if sib is None or sib.mem_id in self.s.content:
                return None
            h = self.heading(sib)
            return (sib, h) if h is not None and h.kind != "content" else None
        if ntag in ROW_TAGS and ntag != "tbody":
            return None  # rows are never titled by their sibling rows
        sib = node.prev
        sig = None
        while sib is not None:
            tag = tag_of(sib)
            if tag in SKIP_TAGS or tag in ROW_TAGS:
                if tag in ROW_TAGS and tag != ntag and sib.mem_id in self.s.content:
                    return "blocked"
                sib = sib.prev
                continue
            if in_row and (tag == "a" or select_first(sib, "a") is not None):
                return "blocked"
            if tag == "a" and ntag == "a":
                sib = sib.prev  # the previous link of a row of links: a peer, not a title
                continue
            if sib.mem_id in self.s.content:
                # A sibling built like this node (the previous tab pane, the previous one-item
                # list) is a peer under the same title, not a neighbouring column.
                if sig is None:
                    sig = (ntag, (node.attributes.get("class") or "").split())
                if tag == sig[0] and (sib.attributes.get("class") or "").split() == sig[1]:
                    sib = sib.prev
                    continue
                return "blocked"
            h = self.heading(sib)
            if h is None:
                sib = sib.prev
                continue
            if h.kind == "content":
                return "blocked"
            return sib, h
        return None

    def find(self, start: LexborNode, is_date: bool = False) -> ColumnKey | None:
        # Items of a list already resolved: the row (li/dd/td) is cached, no need to look inside.
        parent = start.parent
        if parent is not None and tag_of(parent) in ROW_TAGS:
            pm = parent.mem_id
            if pm in self.s.memo:
                return self.s.memo[pm]
        path: list[int] = []
        node = start
        result: ColumnKey | None = None
        memo_upto = None  # memo only nodes below the pane (other panes differ)
        pending: ColumnKey | None = None
        pending_levels = 0
        while node is not None and tag_of(node) not in ("body", "html", None):
            mid = node.mem_id
            if mid in self.s.memo:
                result = self.s.memo[mid]
                memo_upto = len(path)
                break
            path.append(mid)
            if pending is not None:
                pending_levels += 1
                if pending_levels > 2:
                    result, memo_upto = pending, len(path)
                    break
            found = self._scan_level(node, in_row=is_date and node is start)
            while isinstance(found, tuple):
                bar, h = found
                self.s.heading_nodes[bar.mem_id] = bar
                if h.kind == "title":
                    i = h.title
                    result = ColumnKey(bar.mem_id, i, h.labels[i], h.urls[i])
                    # A title inside a tab pane is the pane's sub-title: the tab names the column.
                    outer = self._outer_tab(node, set(path))
                    if outer is not None:
                        result = outer
                    memo_upto = len(path)  # every node on the path is inside the sub-title's box
                    break
                pane = _pane_index(bar, len(h.labels), node, set(path))
                if pane is not None:
                    i, pane_node = pane
                    result = ColumnKey(bar.mem_id, i, h.labels[i], h.urls[i])
                    memo_upto = path.index(pane_node.mem_id) + 1 if pane_node.mem_id in path else 0
                    break
                # A filter bar (one pane for all labels): the title is further back.
                if pending is None and h.active is not None:
                    i = h.active
                    pending = ColumnKey(bar.mem_id, i, h.labels[i], h.urls[i])
                    pending_levels = 0
                nxt = bar.prev
                found = None
                while nxt is not None:
                    if tag_of(nxt) in SKIP_TAGS or tag_of(nxt) in ROW_TAGS:
                        nxt = nxt.prev
                        continue
                    if nxt.mem_id in self.s.content:
                        break
                    h2 = self.heading(nxt)
                    if h2 is None:
                        nxt = nxt.prev
                        continue
                    if h2.kind != "content":
                        found = (nxt, h2)
                    break
            if result is not None:
                break
            node = node.parent
        if result is None and pending is not None:
            result = pending
            memo_upto = len(path)
        if memo_upto is None:
            memo_upto = len(path)
        for mid in path[:memo_upto]:
            self.s.memo[mid] = result
        return result

    def _outer_tab(self, node: LexborNode, path: set[int]) -> ColumnKey | None:
        """Look a few levels above a sub-title for a tab bar whose pane holds it."""
        level = 0
        cur = node
        while level < 3:  # a tab pane wraps its sub-title closely (pane > box > title)
            # The sub-titled box must open its pane: anything before it is a neighbour.
            prev = cur.prev
            while prev is not None and tag_of(prev) in SKIP_TAGS:
                prev = prev.prev
            if prev is not None and level > 0 and not _same_kind(prev, cur):
                return None  # peer panes (same tag and class) may precede
            parent = cur.parent
            if parent is None or tag_of(parent) in ("body", "html"):
                return None
            cur = parent
            level += 1
            path.add(cur.mem_id)
            found = self._scan_level(cur)
            if found == "blocked":
                return None
            if not isinstance(found, tuple):
                continue
            bar, h = found
            if h.kind != "tabs":
                return None
            pane = _pane_index(bar, len(h.labels), cur, path)
            if pane is None:
                return None
            i, _p = pane
            self.s.heading_nodes[bar.mem_id] = bar
            return ColumnKey(bar.mem_id, i, h.labels[i], h.urls[i])
        return None

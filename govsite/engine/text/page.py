"""Everything the text scanners say about one page, in the shape the indicators need:
V15-4 / V19-1 (serious errors, banned wording, links to banned sites), G-ID-3 (advertising) and
the notice's "文不对题" (title/body mismatch, duplicates)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from govsite.engine.extract.facts import PageFacts
from govsite.engine.text import lexicon as lx
from govsite.engine.text.ads import AdFinding, detect_ads
from govsite.engine.text.mismatch import (
    DuplicateIndex,
    MismatchFinding,
    article_body,
    check_title_body,
    content_chars,
    core_title,
    is_placeholder,
)
from govsite.engine.text.scanner import (
    MAX_FINDINGS,
    MAX_HITS,
    MAX_TEXT_CHARS,
    TextFinding,
    _site_list,
    scan_stats,
    scan_text,
)

MAX_LINKS = 3000
# TextCache bounds: lines remembered by hash (first sighting) and with their scan (seen again,
# i.e. page template), link texts; a full table is emptied and refilled.
_SEEN_MAX = 200_000
_LINES_MAX = 20_000
_LINE_CHARS_MAX = 2_000
_LINKS_MAX = 20_000


@dataclass(slots=True)
class _LineScan:
    findings: tuple[TextFinding, ...]  # offsets relative to the line
    hits: int
    candidates: int
    dated: bool  # a leader's name is in the line: its findings depend on the page's date
    ads: tuple[str, ...]  # the advertising phrases in the line


_NOTHING = _LineScan((), 0, 0, False, ())  # a line in which the automaton matched nothing


class TextCache:
    """One per site crawl: most of a page's text is the site's template (header, navigation,
    footer), the same lines on every page. A line seen a second time keeps its scan, so the
    template is scanned about twice per crawl, not once per page; link texts likewise. Findings
    never cross a line (sentences end at a line break, terms hold none), so a page's findings are
    those of its lines, each reported on every page that carries it; when the pieces together
    exceed a whole-page scan's bounds the page is scanned whole, as without the cache."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._lex: lx.Lexicons | None = None
        self._clear_lines()
        self._links_lex: lx.Lexicons | None = None
        self._links: dict[str, tuple[TextFinding, ...]] = {}
        self._bad_links: dict[str, tuple[TextFinding, ...]] = {}  # the texts of _links with findings
        self._links_done: set[str] = set()  # link texts as on the page, whose scan (of 500 chars) is in _links

    def _clear_lines(self) -> None:
        self._seen: set[int] = set()  # hashes of lines met once
        self._plain: set[str] = set()  # lines met again in which the automaton matched nothing
        self._lines: dict[str, _LineScan] = {}  # the other lines met again, with their scan
        self._dated_lines: set[str] = set()  # lines naming a leader: their scan depends on the date
        self._dated: dict[tuple[str, date | None], _LineScan] = {}

    def _bind(self, white: list[tuple[str, str]], lex: lx.Lexicons) -> None:
        key = tuple(white)
        if key != self._key or lex is not self._lex:  # another whitelist or lexicon set: no remembered line applies
            self._clear_lines()
            self._key, self._lex = key, lex  # the lexicons held, so their identity stays theirs

    def links_memo(self, lex: lx.Lexicons) -> dict[str, tuple[TextFinding, ...]]:
        """Link text -> its banned-wording findings, as far as known (read-only for callers)."""
        if lex is not self._links_lex:
            self._links_lex, self._links, self._bad_links, self._links_done = lex, {}, {}, set()
        return self._links

    def links_known(self, texts: set[str], lex: lx.Lexicons) -> bool:
        """Every one of a page's link texts (as on the page) was scanned before, and no link text
        of this crawl carried banned wording: `links_banned` would find nothing new and return {}."""
        self.links_memo(lex)
        return not self._bad_links and texts.issubset(self._links_done)

    def links_seen(self, texts: set[str]) -> None:
        """A page's link texts, just given to `links_banned`: their scans are in the memo."""
        if len(self._links_done) > 2 * _LINKS_MAX:
            self._links_done.clear()
        self._links_done.update(texts)

    def links_banned(self, texts: list[str], lex: lx.Lexicons) -> dict[str, tuple[TextFinding, ...]]:
        """The texts among `texts` that carry banned wording, with their findings (no site
        whitelist, as `banned_links` scans); the texts not met before in one automaton pass.
        Nearly always empty: a site's link texts are its menus, met again on every page."""
        memo = self.links_memo(lex)
        new = [t for t in texts if t not in memo]
        if new:
            new = list(dict.fromkeys(new))
            if len(memo) + len(new) > _LINKS_MAX:
                memo.clear()
                self._bad_links.clear()
                self._links_done.clear()
                new = list(dict.fromkeys(texts))  # this page's known texts are forgotten too
            for text, (found, _ads) in zip(new, self.scan(new, None, lex.whitelist, lex, remember=False), strict=True):
                memo[text] = got = tuple(replace(f, where="link") for f in found if f.category == "banned")
                if got:
                    self._bad_links[text] = got
        bad = self._bad_links
        return {t: bad[t] for t in texts if t in bad} if bad else {}

    def scan(self, texts: list[str], on_date: date | None, white: list[tuple[str, str]],
             lex: lx.Lexicons, *, remember: bool = True) -> list[tuple[list[TextFinding], set[str]]]:
        """`scan_text(text, on_date=…)` of each text (`white`: the full whitelist), with the
        advertising phrases in it (`ad_phrases`), line by line; the lines not known yet, of all
        the texts, in one automaton pass. `remember`: use and keep the lines' scans (these texts
        are scanned with the site's whitelist)."""
        texts = [t[:MAX_TEXT_CHARS] for t in texts]
        split = [t.split("\n") for t in texts]
        if remember:
            self._bind(white, lex)
            todo = [set(ls).difference(self._plain) for ls in split]  # most of a page: known plain template
        else:
            todo = [set(ls) for ls in split]
        res: dict[str, _LineScan] = {}
        fresh: list[str] = []
        for ln in set().union(*todo):
            r = None
            if remember:
                r = self._lines.get(ln)
                if r is None and ln in self._dated_lines:
                    r = self._dated.get((ln, on_date))
            if r is None:
                fresh.append(ln)
            else:
                res[ln] = r
        if fresh:
            found, stats = scan_stats("\n".join(fresh), on_date, white, lex)
            if len(stats.hits) >= MAX_HITS or len(stats.candidates) > MAX_FINDINGS * 4:
                # the new lines together exceed one scan's bounds: each text is scanned whole
                return [self._whole(t, on_date, white, lex) for t in texts]
            starts, off = [], 0
            for ln in fresh:
                starts.append(off)
                off += len(ln) + 1
            fs: list[list[TextFinding]] = [[] for _ in fresh]
            for f in found:
                j = bisect.bisect_right(starts, f.start) - 1
                fs[j].append(replace(f, start=f.start - starts[j], end=f.end - starts[j]))

            def counts(positions: list[int]) -> list[int]:
                n = [0] * len(fresh)
                for pos in positions:
                    n[bisect.bisect_right(starts, pos) - 1] += 1
                return n

            if stats.hits:
                hits, cands, names = counts(stats.hits), counts(stats.candidates), counts(stats.names)
            else:  # most new lines (an article's own text) match nothing
                hits = cands = names = [0] * len(fresh)
            ads: list[list[str]] = [[] for _ in fresh] if stats.ads else []
            for pos, phrase in stats.ads:
                ads[bisect.bisect_right(starts, pos) - 1].append(phrase)
            for j, ln in enumerate(fresh):
                res[ln] = r = _LineScan(tuple(fs[j]), hits[j], cands[j], names[j] > 0,
                                        tuple(dict.fromkeys(ads[j])) if ads else ()) if hits[j] else _NOTHING
                if remember:
                    self._remember(ln, on_date, r)
        out: list[tuple[list[TextFinding], set[str]]] = []
        for text, ls, lines in zip(texts, split, todo, strict=True):
            # Lines with no match add nothing; the others count once per occurrence, as in one scan.
            matched = [(ln, res[ln]) for ln in lines if res[ln].hits]
            if not matched:
                out.append(([], set()))
                continue
            # A line occurs at most len(ls) times: counted only when that bound could reach the limits.
            n_hits, n_cands = sum(r.hits for _, r in matched), sum(r.candidates for _, r in matched)
            if n_hits * len(ls) >= MAX_HITS or n_cands * len(ls) > MAX_FINDINGS * 4:
                n = {ln: ls.count(ln) for ln, _ in matched}
                if sum(n[ln] * r.hits for ln, r in matched) >= MAX_HITS or \
                        sum(n[ln] * r.candidates for ln, r in matched) > MAX_FINDINGS * 4:
                    out.append(self._whole(text, on_date, white, lex))
                    continue
            got: list[TextFinding] = []
            with_findings = {ln: r.findings for ln, r in matched if r.findings}
            if with_findings:
                off = 0
                for ln in ls:
                    fs_ln = with_findings.get(ln)
                    if fs_ln:
                        got += [replace(f, start=f.start + off, end=f.end + off) for f in fs_ln]
                    off += len(ln) + 1
            out.append((got[:MAX_FINDINGS], {p for _, r in matched for p in r.ads}))
        return out

    @staticmethod
    def _whole(text: str, on_date: date | None, white: list[tuple[str, str]],
               lex: lx.Lexicons) -> tuple[list[TextFinding], set[str]]:
        found, stats = scan_stats(text, on_date, white, lex)
        return found[:MAX_FINDINGS], {p for _, p in stats.ads}

    def _remember(self, line: str, on_date: date | None, res: _LineScan) -> None:
        if len(line) > _LINE_CHARS_MAX:
            return  # a long paragraph is an article's own text, not template
        h = hash(line)
        if h not in self._seen:  # first sighting: only its hash, most lines are seen once
            if len(self._seen) >= _SEEN_MAX:
                self._seen.clear()
            self._seen.add(h)
            return
        if len(self._plain) + len(self._lines) + len(self._dated) >= _LINES_MAX:
            seen = self._seen
            self._clear_lines()
            self._seen = seen
        if res.dated:
            self._dated_lines.add(line)
            self._dated[(line, on_date)] = res
        elif res.hits:
            self._lines[line] = res
        else:
            self._plain.add(line)


def scan_page(facts: PageFacts, *, site_whitelist: Iterable[str] = (),
              lexicons: lx.Lexicons | None = None, cache: TextCache | None = None) -> list[TextFinding]:
    """Findings in a page's title and body text, dated by the article's publication date (no
    date: only posts a leader never held are reported; a date is never guessed). `cache`: one
    per site crawl, the same findings faster."""
    return _scan_page(facts, site_whitelist, lexicons, cache)[0]


def _scan_page(facts: PageFacts, site_whitelist: Iterable[str], lexicons: lx.Lexicons | None,
               cache: TextCache | None) -> tuple[list[TextFinding], set[str] | None]:
    """`scan_page`, and with a cache the advertising phrases in the body text, found in the same
    pass (None without a cache: `detect_ads` looks for them itself)."""
    white = list(site_whitelist)
    if cache is not None:
        lex = lexicons or lx.default()
        (title, _), (body, ads) = cache.scan([facts.title or "", facts.text or ""], facts.article_pub_date,
                                             lex.whitelist + _site_list(white), lex)
        return [replace(f, where="title") for f in title] + body, ads
    out = []
    if facts.title:
        out += [replace(f, where="title") for f in scan_text(
            facts.title, on_date=facts.article_pub_date, site_whitelist=white, lexicons=lexicons)]
    out += scan_text(facts.text, on_date=facts.article_pub_date, site_whitelist=white, lexicons=lexicons)
    return out, None


def banned_links(facts: PageFacts, *, lexicons: lx.Lexicons | None = None,
                 cache: TextCache | None = None) -> list[tuple[str, TextFinding]]:
    """Links whose text carries banned wording (gambling, porn … sites), hidden ones included."""
    out = []
    lex = lexicons or lx.default()
    links = facts.links[:MAX_LINKS]
    if cache is not None:
        # A page's link texts are its menus, met on every page: when all were met before (and none
        # of the crawl's was banned) there is nothing to look up link by link.
        texts = {lk.text for lk in links}
        if cache.links_known(texts, lex):
            return out
        bad = cache.links_banned([lk.text[:500] for lk in links if lk.text and len(lk.text) >= 2], lex)
        cache.links_seen(texts)
        if bad:
            for link in links:
                got = bad.get(link.text[:500]) if link.text and len(link.text) >= 2 else None
                if got:
                    out += [(link.url, f) for f in got]
        return out
    for link in links:
        if link.text and len(link.text) >= 2:
            for f in scan_text(link.text[:500], lexicons=lex):
                if f.category == "banned":
                    out.append((link.url, replace(f, where="link")))
    return out


@dataclass
class PageTextReport:
    serious: list[TextFinding] = field(default_factory=list)  # V15-4 / V19-1 serious errors
    banned: list[TextFinding] = field(default_factory=list)  # banned wording in title/body
    banned_links: list[tuple[str, TextFinding]] = field(default_factory=list)
    ads: list[AdFinding] = field(default_factory=list)  # G-ID-3
    mismatch: MismatchFinding | None = None  # 文不对题 (articles only)

    @property
    def empty(self) -> bool:
        return not (self.serious or self.banned or self.banned_links or self.ads or self.mismatch)


def analyse_page(facts: PageFacts, *, article: bool = False, site_whitelist: Iterable[str] = (),
                 duplicates: DuplicateIndex | None = None, lexicons: lx.Lexicons | None = None,
                 cache: TextCache | None = None) -> PageTextReport:
    """All text checks of one page. `article`: the page is an article (title/body checks apply);
    `duplicates` and `cache`: one each per site crawl, to find bodies copied under other titles
    and to scan the site's template once rather than on every page (same findings)."""
    rep = PageTextReport()
    found, ads = _scan_page(facts, site_whitelist, lexicons, cache)
    for f in found:
        (rep.serious if f.serious else rep.banned).append(f)
    rep.banned_links = banned_links(facts, lexicons=lexicons, cache=cache)
    rep.ads = detect_ads(facts, lexicons, present=ads)
    if article and facts.title:
        body = article_body(facts.text, facts.title)
        if not content_chars(body):
            # Short lines are dropped as page chrome; a placeholder body is one of them.
            body = next((ln for ln in facts.text.splitlines()[:2000] if is_placeholder(ln, lexicons)), body)
        # article_body cut the title with core_title(title), check_title_body with the stripped
        # title's: the same cut (and so no title heading left in the body) when nothing was stripped.
        rep.mismatch = check_title_body(facts.title, body, lexicons=lexicons,
                                        chrome_free=facts.title == facts.title.strip())
        if rep.mismatch is None and duplicates is not None:
            rep.mismatch = duplicates.add(facts.url, core_title(facts.title), body)
    return rep

"""Commercial advertising on a page (G-ID-3): scripts and frames of ad networks, and links with
advertising wording to commercial (non-government) sites."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from govsite.engine import urls
from govsite.engine.extract.facts import PageFacts
from govsite.engine.text import lexicon as lx
from govsite.engine.text.scanner import ad_phrases
from govsite.engine.urls import origin

# Hosts that are not commercial even when a link's text looks like an ad.
NON_COMMERCIAL_SUFFIXES = (".gov.cn", ".org.cn", ".edu.cn", ".mil.cn", ".gov", "people.com.cn", "xinhuanet.com",
                           "news.cn", "cctv.com")


@dataclass
class AdFinding:
    kind: str  # ad_network | ad_link | ad_text
    url: str | None
    text: str
    message: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


host_of = functools.lru_cache(maxsize=1 << 14)(urls.host_of)  # the same navigation links on every page of a site


def _matches_host(host: str, patterns: tuple[str, ...]) -> str | None:
    for p in patterns:
        if host == p or host.endswith("." + p):
            return p
    return None


@functools.lru_cache(maxsize=8)
def _host_matcher(patterns: tuple[str, ...]) -> Callable[[str], str | None]:
    """`_matches_host` with these patterns, remembered per host."""
    return functools.lru_cache(maxsize=1 << 12)(lambda host: _matches_host(host, patterns))


@functools.lru_cache(maxsize=8)
def _phrase_finder(phrases: tuple[str, ...]) -> Callable[[str], str | None]:
    """The first of `phrases` in a text, remembered per text (link texts repeat across pages)."""
    return functools.lru_cache(maxsize=1 << 12)(lambda text: next((p for p in phrases if p in text), None))


_PLAIN_MAX = 1 << 14


@functools.lru_cache(maxsize=8)
def _plain_links(hosts: tuple[str, ...], phrases: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """Link URLs already seen not to lead to an ad network's host, and link texts already seen to
    carry no ad wording (the site's navigation, on every page)."""
    return set(), set()


@functools.lru_cache(maxsize=1 << 12)
def _commercial(host: str, site_host: str) -> bool:
    if not host or host == site_host or host.endswith("." + site_host) or site_host.endswith("." + host):
        return False
    return not any(host == s.lstrip(".") or host.endswith(s if s.startswith(".") else "." + s)
                   for s in NON_COMMERCIAL_SUFFIXES)


def detect_ads(facts: PageFacts, lexicons: lx.Lexicons | None = None, present: set[str] | None = None) -> list[AdFinding]:
    """G-ID-3 findings of one page. `present`: the advertising phrases in its text, when the
    text scan has found them (`page.TextCache.scan`); otherwise they are looked for here."""
    lex = lexicons or lx.default()
    # A URL under the page's own scheme://netloc/ has the page's host: not parsed again (the
    # page's own URL and an article page's new links, mostly the site's other articles).
    root = origin(facts.url)
    own = root + "/" if root is not None else None
    site_host = host_of(own if own is not None else facts.url)
    out: list[AdFinding] = []
    seen: set[str] = set()
    ad_net, ad_phrase = _host_matcher(lex.ad_hosts), _phrase_finder(lex.ad_phrases)
    urls_ok, texts_ok = _plain_links(lex.ad_hosts, lex.ad_phrases)
    links = facts.links[:5000]
    # A link whose URL is known not to lead to an ad network and whose text is known to carry no
    # ad wording says nothing, whatever the page: only the others (on most pages none, on an
    # article page its few new links) are looked at, in page order.
    new_urls = {link.url for link in links}.difference(urls_ok)
    new_texts = {link.text for link in links}.difference(texts_ok)
    for link in links if new_urls or new_texts else ():
        if link.url not in new_urls and link.text not in new_texts:
            continue
        host = site_host if own is not None and link.url.startswith(own) else host_of(link.url)
        net = ad_net(host)
        wording = ad_phrase(link.text or "")
        if not net:
            if len(urls_ok) >= _PLAIN_MAX:
                urls_ok.clear()
            urls_ok.add(link.url)
        if not wording:
            if len(texts_ok) >= _PLAIN_MAX:
                texts_ok.clear()
            texts_ok.add(link.text)
        if not net and not wording:
            continue
        if net and link.url not in seen:
            seen.add(link.url)
            out.append(AdFinding("ad_network", link.url, link.text, f"引用广告联盟 {net} 的{link.tag}"))
            continue
        text = link.text or ""
        phrase = ad_phrase(text)
        if phrase and _commercial(host, site_host) and link.url not in seen:
            seen.add(link.url)
            out.append(AdFinding("ad_link", link.url, text, f"链接“{text[:40]}”含广告用语“{phrase}”，指向商业网站 {host}"))
    body = facts.text[:500_000]
    if present is None:
        present = ad_phrases(facts.text, lex)
    for p in lex.ad_phrases if present else ():
        if p not in present:
            continue
        i = body.find(p)
        if i < 0:
            continue
        around = body[max(0, i - 40): i + len(p) + 40]
        if any(c in around for c in lex.suppress_cues):
            continue  # e.g. a warning against 刷单 fraud
        if not any(f.text and p in f.text for f in out):
            out.append(AdFinding("ad_text", None, around.strip(), f"正文含广告用语“{p}”"))
    return out

"""URL normalisation, scope, link kinds and crawler-trap detection."""

from __future__ import annotations

import functools
import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

SESSION_PARAMS = frozenset(
    {"jsessionid", "phpsessid", "sessionid", "session_id", "sid", "aspsessionid", "cfid", "cftoken", "sessid"}
)
ATTACHMENT_EXT = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "zip", "rar", "7z", "gz", "tar",
     "txt", "csv", "ofd", "tif", "tiff", "ceb", "xml", "apk"}
)
RESOURCE_EXT = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "css", "js", "woff", "woff2",
                          "ttf", "eot", "mp4", "mp3", "swf", "flv"})
RESOURCE_TAGS = frozenset({"img", "script", "link", "iframe", "embed", "source", "video", "audio", "object", "frame"})
_CAL_NAMES = re.compile(r"^(date|day|month|year|ym|ymd|cal|calendar|riqi|rq|d|y|m|week|time)$", re.I)
_DATEISH = re.compile(r"^\d{4}([-/.]?\d{1,2}){0,2}$|^\d{1,2}$")
_CAL_PATH = re.compile(r"calendar|rili|/cal/|richeng|日历", re.I)
_SESSION_PATH = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)


def normalize(url: str, base: str | None = None) -> str | None:
    """Absolute, canonical form used for de-duplication; None for non-web links."""
    if base is None or url.startswith(("http://", "https://")):
        return _normalize_abs(url)  # the common case (extraction gives absolute URLs): cached
    return _normalize(url, base)


# An address already in canonical form: lower-case host, no default port, a plain path without
# dot segments, empty segments, escapes or parameters, no fragment; a query of key=value pairs
# whose characters urlencode writes back unchanged (checked by _plain_query).
_PLAIN_URL = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(:[1-9]\d{0,4})?(/[A-Za-z0-9_~.\-/]*)?"
                        r"(?:\?([A-Za-z0-9_~.\-+%=&]+))?")
# A pair quote_plus(unquote_plus(...)) leaves as it is: unreserved characters, '+' (a space
# both ways) and upper-case escapes of the other printable ASCII characters ('=' only once).
_PLAIN_PAIR = re.compile(r"([A-Za-z0-9_~.\-+]+)=(?:[A-Za-z0-9_~.\-+]|%(?:2[1-9A-CF]|3[A-F]|4[0]|5[BCDE]|60|7[BCD]))*")


def _plain_query(query: str) -> str | None:
    """The canonical form of a query made only of plain pairs (as _normalize writes it: pairs
    sorted by their decoded text, session parameters dropped), or None when the general path
    must decide."""
    pairs: list[tuple[str, str]] = []
    for p in query.split("&"):
        if _PLAIN_PAIR.fullmatch(p) is None:
            return None
        k, _eq, v = p.partition("=")
        if k.lower() in SESSION_PARAMS:
            return None
        pairs.append((k, v))
    # '+' and escapes sort by what they stand for (' ' before '!'). Distinct plain keys decide
    # the order alone (values are then never compared): no decoding.
    keys = [k for k, _v in pairs]
    if len(set(keys)) == len(keys) and not any("%" in k or "+" in k for k in keys):
        ordered = sorted(pairs, key=lambda kv: kv[0])
    elif "%" in query or "+" in query:
        ordered = sorted(pairs, key=lambda kv: (unquote_plus(kv[0]), unquote_plus(kv[1])))
    else:
        ordered = sorted(pairs)
    return query if ordered == pairs else "&".join(f"{k}={v}" for k, v in ordered)


@functools.lru_cache(maxsize=32768)  # bounded: a big crawl must not keep every URL twice
def _normalize_abs(url: str) -> str | None:
    m = _PLAIN_URL.fullmatch(url)
    if m is not None:
        path = m.group(4)
        port = m.group(3)
        if ((not path or ("//" not in path and "/." not in path))
                and (port is None or (port not in (":80", ":443") and int(port[1:]) < 65536))):
            query = m.group(5)
            if query is None:
                return url if path else url + "/"
            plain = _plain_query(query)
            if plain is not None:
                return f"{url[:m.start(5) - 1] if path else url[:m.start(5) - 1] + '/'}?{plain}"
    return _normalize(url, None)


def _normalize(url: str, base: str | None) -> str | None:
    from urllib.parse import urljoin

    url = url.strip().replace("\\", "/")
    if not url or url.startswith("#"):
        return None
    low = url[:12].lower()
    if low.startswith(("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "vbscript:")):
        return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    else:
        netloc = host
    path = _SESSION_PATH.sub("", parts.path) or "/"
    # Resolve dot segments but keep a trailing slash (it names a different resource).
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    if path in (".", "//"):
        path = "/"
    if trailing and not path.endswith("/"):
        path += "/"
    path = quote(unquote(path), safe="/%:@!$&'()*+,;=~-._")
    query = ""
    if parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SESSION_PARAMS]
        pairs.sort()
        query = urlencode(pairs, doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


_ORIGIN_RE = re.compile(r"https?://[^/?#]+", re.I)


def origin(url: str) -> str | None:
    """`scheme://netloc` of an http(s) URL (no trailing slash), None for any other: every URL
    that starts with `origin(url) + "/"` has `host_of(url)`'s host."""
    m = _ORIGIN_RE.match(url)
    return m.group() if m else None


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def in_scope(url: str, domains: set[str]) -> bool:
    return host_of(url) in domains


def extension(url: str) -> str:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def link_kind(url: str, tag: str, in_site: bool) -> str:
    """page | attachment | resource | external (external covers every out-of-site reference)."""
    ext = extension(url)
    if ext in ATTACHMENT_EXT:
        return "attachment"
    if not in_site:
        return "external"
    if tag in RESOURCE_TAGS or ext in RESOURCE_EXT:
        return "resource"
    return "page"


def trap_reason(url: str) -> str | None:
    """Why this URL looks like a crawler trap, or None. Cheap: runs on every discovered link."""
    if len(url) > 1000:
        return "网址过长"
    parts = urlsplit(url)
    segs = [s for s in parts.path.split("/") if s]
    if len(segs) > 12:
        return "路径层级过深"
    if segs:
        counts: dict[str, int] = {}
        for s in segs:
            counts[s] = counts.get(s, 0) + 1
            if counts[s] >= 3:
                return f"路径段重复: {s}"
        # a repeated run such as a/b/a/b (relative-link loops)
        n = len(segs)
        for size in range(2, n // 2 + 1):
            if segs[n - size:] == segs[n - 2 * size:n - size]:
                return "路径段循环重复"
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if len(parts.query) > 300 or len(pairs) > 12:
            return "查询串不断增长"
        keys = [k for k, _ in pairs]
        if any(keys.count(k) >= 3 for k in set(keys)):
            return "查询参数重复"
        cal_path = bool(_CAL_PATH.search(parts.path))
        for k, v in pairs:
            if _DATEISH.match(v) and (_CAL_NAMES.match(k) or cal_path) and (len(v) >= 4 or cal_path):
                return f"日历式参数: {k}={v}"
    elif _CAL_PATH.search(parts.path) and re.search(r"/\d{4}[-/]?\d{1,2}", parts.path):
        return "日历式路径"
    return None

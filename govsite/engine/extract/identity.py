"""The identity a page shows: 网站标识码, 找错 entry (rules.md §6.2), conac badge (§6.3),
ICP and 公安 records (§6.4), 主办/承办 units and contact. Patterns only, no DOM walking: the
page module hands in the visible text and the few elements that matter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

_WS_RE = re.compile(r"\s+")
SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$")
_FOOTER_CODE_RE = re.compile(r"(?:政府)?网站标识码\s*[:：]?\s*(bm\d{8}|\d{10,12})", re.I)
_PROV = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕甘陇青宁新"
ICP_RE = re.compile(rf"([{_PROV}])\s*ICP\s*[备證证]\s*(\d{{6,8}})\s*号?(?:\s*[-－]\s*(\d+))?", re.I)
POLICE_RE = re.compile(rf"([{_PROV}])\s*公网安备\s*[:：]?\s*(\d{{14}})\s*号?")
_RECORDCODE_RE = re.compile(r"recordcode=(\d{14})")
# Sponsor / operator: a label, a colon, then the unit's name up to the next label or separator.
_STOP = r"(?=承办|主办|协办|技术支持|版权所有|版权|地址|联系|电话|网站标识码|政府网站标识码|ICP|[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕甘陇青宁新]公网安备|邮编|传真|E-?mail|©|\||｜|\s|$)"
SPONSOR_RE = re.compile(r"主\s*办(?:单位|方|机关)?\s*[:：]\s*([^\s:：|｜,，;；。©]{2,40}?)" + _STOP, re.I)
OPERATOR_RE = re.compile(r"承\s*办(?:单位|方)?\s*[:：]\s*([^\s:：|｜,，;；。©]{2,40}?)" + _STOP, re.I)
_PHONE_RE = re.compile(r"(?:联系电话|服务电话|咨询电话|电话|联系方式)\s*[:：]\s*([0-9０-９()（）\-－ ]{7,20}\d)")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_SITECODE_ATTR_RE = re.compile(r"""sitecode\s*[=:]\s*\\?["']?\s*([A-Za-z0-9]{6,14})""", re.I)
_LINK_HANDLER_RE = re.compile(r"""Link\(\s*['"]([A-Za-z0-9]{6,14})['"]\s*\)""")
_JIUCUO_HTML_RE = re.compile(r"/exposure/jiucuo\.html\?[^\"'\s>]*site_code=([A-Za-z0-9]*)", re.I)
_CONAC_SCRIPT_RE = re.compile(r"dcs\.conac\.cn/js/", re.I)
_CONAC_LINK_RE = re.compile(r"bszs\.conac\.cn/sitename\?[^\"'\s>]*id=", re.I)


@dataclass
class Identity:
    site_code: str | None = None
    site_code_sources: dict[str, str] = field(default_factory=dict)
    jiucuo_entry: str = "none"
    jiucuo_detail: str | None = None
    conac_badge: bool = False
    conac_detail: str | None = None
    icp: str | None = None
    police_record: str | None = None
    sponsor: str | None = None
    operator: str | None = None
    contact: str | None = None


# A site's pages repeat the same badge scripts and links: decoding and snippets are remembered.
_unquote = lru_cache(maxsize=256)(unquote)


@lru_cache(maxsize=512)
def _snippet(s: str, n: int = 300) -> str:
    s = _WS_RE.sub(" ", s).strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def _near(rx: re.Pattern[str], text: str, literal: str, back: int, ahead: int = 120) -> re.Match[str] | None:
    """`rx.search` only around occurrences of `literal` (found by C-speed str.find): the
    patterns start with character classes the regex engine cannot skip to."""
    pos = text.find(literal)
    while pos != -1:
        m = rx.search(text, max(0, pos - back), pos + len(literal) + ahead)
        if m:
            return m
        pos = text.find(literal, pos + 1)
    return None


def footer_code(text: str) -> str | None:
    m = _near(_FOOTER_CODE_RE, text, "标识码", 4, 40)
    return m.group(1) if m else None


def read_identity(
    text: str,
    meta: dict[str, str],
    scripts: list[tuple[dict[str, str | None], str, str]],
    anchors: list[tuple[str, str]],
    images: list[tuple[dict[str, str | None], str]],
) -> Identity:
    """`scripts`: (attrs, inline code, outer html) of each <script>; `anchors`: (href, outer html)
    of links mentioning jiucuo/conac; `images`: (attrs, outer html of the image and its parent)."""
    ident = Identity()
    sources = ident.site_code_sources
    code = footer_code(text)
    if code:
        sources["footer"] = code
    for key, value in meta.items():
        if key.lower() == "siteidcode" and value.strip():
            sources["meta"] = value.strip()
            break

    # 找错 entry: the official script (static tag, or written by a loader) first.
    script_detail = None
    for attrs, code_text, outer in scripts:
        src = attrs.get("src") or ""
        sid = (attrs.get("id") or "").lower()
        if sid == "_jiucuo_" or "jiucuo.js" in src.lower():
            sc = attrs.get("sitecode") or ""
            if sc and "jiucuo" not in sources:
                sources["jiucuo"] = sc.strip()
            script_detail = script_detail or _snippet(outer)
        elif code_text and "jiucuo" in code_text.lower():
            decoded = _unquote(code_text) if "%3C" in code_text or "%3c" in code_text else code_text
            low = decoded.lower()
            if "_jiucuo_" in low or "jiucuo.js" in low:
                m = _SITECODE_ATTR_RE.search(decoded)
                if m and "jiucuo" not in sources:
                    sources["jiucuo"] = m.group(1)
                script_detail = script_detail or _snippet(decoded)
    link_detail = None
    for href, outer in anchors:
        m = _JIUCUO_HTML_RE.search(href)
        if m:
            if m.group(1) and "jiucuo_link" not in sources:
                sources["jiucuo_link"] = m.group(1)
            link_detail = link_detail or _snippet(outer)
    rendered_detail = None
    static_detail = None
    for attrs, outer in images:
        onclick = attrs.get("onclick") or ""
        m = _LINK_HANDLER_RE.search(onclick) or _LINK_HANDLER_RE.search(outer)
        src = (attrs.get("src") or "").lower()
        label = (attrs.get("alt") or "") + (attrs.get("title") or "") + (attrs.get("aria-label") or "")
        if m and ("jiucuo" in src or "_span_jiucuo" in outer or "找错" in label):
            if "rendered" not in sources:
                sources["rendered"] = m.group(1)
            rendered_detail = rendered_detail or _snippet(outer)
        elif "jiucuo" in src or "zhaocuo" in src or "找错" in label or "纠错" in label:
            static_detail = static_detail or _snippet(outer)
    if script_detail:
        ident.jiucuo_entry, ident.jiucuo_detail = "script", script_detail
    elif link_detail:
        ident.jiucuo_entry, ident.jiucuo_detail = "link_image", link_detail
    elif rendered_detail:
        # The script's own output saved with the page: the working handler is there.
        ident.jiucuo_entry, ident.jiucuo_detail = "script", rendered_detail
    elif static_detail:
        ident.jiucuo_entry, ident.jiucuo_detail = "static_image", static_detail

    for key in ("footer", "meta", "jiucuo", "jiucuo_link", "rendered"):
        if key in sources:
            ident.site_code = sources[key]
            break

    # conac badge: the loader script (possibly document.write-escaped) or the rendered link.
    for attrs, code_text, _outer in scripts:
        src = attrs.get("src") or ""
        hay = src + " " + (_unquote(code_text) if code_text and "conac" in code_text else "")
        if _CONAC_SCRIPT_RE.search(hay):
            ident.conac_badge, ident.conac_detail = True, _snippet(src or _unquote(code_text))
            break
    if not ident.conac_badge:
        for href, outer in anchors:
            if _CONAC_LINK_RE.search(href):
                ident.conac_badge, ident.conac_detail = True, _snippet(outer)
                break

    m = _near(ICP_RE, text, "ICP", 3, 30) or _near(ICP_RE, text, "icp", 3, 30)
    if m:
        ident.icp = f"{m.group(1)}ICP备{m.group(2)}号" + (f"-{m.group(3)}" if m.group(3) else "")
    m = _near(POLICE_RE, text, "公网安备", 3, 30)
    if m:
        ident.police_record = f"{m.group(1)}公网安备 {m.group(2)}号"
    else:
        for href, _outer in anchors:
            m2 = _RECORDCODE_RE.search(href)
            if m2:
                ident.police_record = f"公网安备 {m2.group(1)}号"
                break
    m = _near(SPONSOR_RE, text, "办", 2, 60)
    if m:
        ident.sponsor = m.group(1)
    m = _near(OPERATOR_RE, text, "承", 0, 60)
    if m:
        ident.operator = m.group(1)
    contact = []
    m = _near(_PHONE_RE, text, "电话", 4, 30) or _near(_PHONE_RE, text, "联系方式", 0, 30)
    if m:
        contact.append(m.group(1).strip())
    m = _EMAIL_RE.search(text) if "@" in text else None  # (the scan tries every letter run)
    if m:
        contact.append(m.group(0))
    ident.contact = " ".join(contact) or None
    return ident

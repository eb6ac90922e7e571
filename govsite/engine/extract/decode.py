"""Turning the bytes of a page into text: BOM, then `<meta charset>` / http-equiv, then
detection. GBK and GB2312 are decoded as GB18030 (its superset), since pages labelled GB2312
routinely use characters outside it."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "gb_2312": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
              "euc-cn": "gb18030", "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}


@lru_cache(maxsize=64)  # a few charset names, read from every page's header and meta
def normalise_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset, widened to its superset; None if unknown."""
    if not name:
        return None
    name = name.strip().strip("'\"").lower()
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(name) or _SUPERSETS.get(canonical) or canonical


def declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET_RE.search(head)
    return normalise_encoding(m.group(1).decode("ascii", "replace")) if m else None


def decode_html(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, encoding used). `encoding` is the HTTP header's charset,
    trusted only when the bytes decode cleanly with it."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, "replace"), enc
    candidates: list[str] = []
    for enc in (normalise_encoding(encoding), declared_charset(data[:4096])):
        if enc and enc not in candidates:
            candidates.append(enc)
    for enc in candidates:
        if enc == "gb18030" and not data.isascii():
            # GB18030 accepts almost any byte string, so a UTF-8 page mislabelled GBK would
            # decode as mojibake; valid multi-byte UTF-8 by chance is very unlikely.
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue  # mislabelled: fall through to detection
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    enc = _detect(data)
    return data.decode(enc, "replace"), enc


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    enc = normalise_encoding(best.encoding if best else None) or "gb18030"
    return enc

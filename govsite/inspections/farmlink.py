"""Running a campaign against the local farm (demo, end-to-end tests, benchmark).

The farm serves synthetic sites on 127.0.0.1 under their real-looking host names and
publishes a manifest. A registry site and a farm site are the same site when both the
网站标识码 and the host name agree; only those are used, so the engine checks each farm
site against its own registry record. At run time each such site's URL is the manifest's
(it carries the farm's port) and its host is resolved to 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from govsite.inspections.errors import InspectionError


def load_manifest(path: str | Path) -> tuple[dict[str, dict], str]:
    """code → manifest entry, and the manifest file's sha256."""
    p = Path(path)
    try:
        raw = p.read_bytes()
        data = json.loads(raw)
        sites = data["sites"]
        entries = {s["code"]: s for s in sites if s.get("code") and s.get("url") and s.get("host")}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InspectionError(f"无法读取模拟站点清单 {path}：{exc}") from exc
    return entries, hashlib.sha256(raw).hexdigest()


def matching_codes(entries: dict[str, dict]) -> list[str]:
    """Running registry sites whose code and host both match a farm site."""
    from govsite.registry.models import Site

    out = []
    for code, url in Site.objects.filter(status=Site.Status.RUNNING, code__in=list(entries)).values_list(
        "code", "home_url"
    ):
        if (urlsplit(url).hostname or "").lower() == entries[code]["host"].lower():
            out.append(code)
    return sorted(out)


def run_overrides(path: str | Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """URL per code and curl-style --resolve entries that send every farm host to 127.0.0.1."""
    entries, _ = load_manifest(path)
    urls: dict[str, str] = {}
    resolve: set[str] = set()
    for code, e in entries.items():
        parts = urlsplit(e["url"])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        urls[code] = e["url"]
        resolve.add(f"{parts.hostname}:{port}:127.0.0.1")
    return urls, tuple(sorted(resolve))

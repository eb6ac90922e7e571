"""Static export of the farm, laid out per host, plus an nginx config that serves it.

Layout: DIR/hosts/<host>/<path> for pages without a query string (a path ending in `/` gets
`index.html`), DIR/hosts/<host>/_q/<path>/__<query> for pages with one (ucap pagers, the
query-string style). nginx finds them with `try_files /_q$uri/__$args $uri $uri/index.html`.
Not exported (they need a live server): the availability schedule, hostile streams, search."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from govsite.farm import manifest as manifest_mod
from govsite.farm import text
from govsite.farm.model import Farm, Site
from govsite.farm.render import PAGE_SIZE, Page, render
from govsite.farm.urls import urls_for


def site_paths(site: Site) -> Iterator[str]:
    """Every URL (path[?query]) the site links to internally (its crawl graph, minus traps)."""
    u = urls_for(site)
    yield "/"
    yield u.catalogue()
    yield u.leaders()
    for n in range(len(site.leaders())):
        yield u.leader(n)
    for c in site.columns:
        pages = max(1, (len(c.ages) + PAGE_SIZE - 1) // PAGE_SIZE)
        for p in range(1, pages + 1):
            yield u.column(c, p)
        for i in range(len(c.ages)):
            yield u.item(c, i)
    guides = site.by_key["bszn"]
    for gi in range(len(guides.ages)):
        for k, _name, ext in site.guide_attachments(gi):
            yield u.attachment(gi, k, ext)
    for k in range(len(text.SYSTEMS)):
        yield u.system(k)
    for p in ("/css/style.css", "/js/common.js", "/images/jiucuo.png"):
        yield p


def _file_for(root: Path, raw: str) -> Path:
    path, _, query = raw.partition("?")
    if query:
        return root / "_q" / path.lstrip("/") / f"__{query}"
    if path.endswith("/"):
        path += "index.html"
    return root / path.lstrip("/")


def render_raw(site: Site, raw: str) -> Page | None:
    path, _, query = raw.partition("?")
    route = urls_for(site).parse(path, query)
    return render(site, route) if route else None


def export(farm: Farm, out: Path, listen_port: int | None = None) -> dict[str, int]:
    """Write every site; returns counts. `listen_port` defaults to the farm's port."""
    hosts_dir = out / "hosts"
    files = 0
    nbytes = 0
    servers = []
    for ident in farm.identities:
        site = Site(farm, ident)
        root = hosts_dir / ident.host
        down: list[str] = []
        for raw in site_paths(site):
            page = render_raw(site, raw)
            if page is None or page.status == 404:
                continue  # a missing file is nginx's 404, as on the live farm
            if page.status != 200:
                down.append(raw)
                continue
            f = _file_for(root, raw)
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(page.body)
            files += 1
            nbytes += len(page.body)
            if raw == "/" and ident.style == "query":
                (root / "index.php").write_bytes(page.body)
        servers.append(server_block(ident.host, root, ident.encoding, listen_port or farm.port, down))
    (out / "nginx-sites.conf").write_text("".join(servers), encoding="utf-8")
    (out / "manifest.json").write_text(manifest_mod.dumps(manifest_mod.build(farm)), encoding="utf-8")
    return {"sites": farm.n, "files": files, "bytes": nbytes}


def server_block(host: str, root: Path, encoding: str, port: int, down: list[str]) -> str:
    """One nginx `server` for a host (include it inside an `http {}` block)."""
    extra = "".join(f"    location = {raw.split('?')[0]} {{ return 502; }}\n" for raw in down if "?" not in raw)
    return (
        f"server {{\n    listen 127.0.0.1:{port};\n    server_name {host};\n    root {root.resolve()};\n"
        f"    charset {'gbk' if encoding == 'gbk' else 'utf-8'};\n    default_type text/html;\n"
        f"{extra}"
        "    location / {\n        try_files /_q$uri/__$args $uri $uri/index.html =404;\n    }\n}\n"
    )


def nginx_conf(out: Path, port: int, workers: int = 1) -> str:
    """A complete nginx.conf for running the export alone (benchmarks)."""
    tmp = out / "nginx-tmp"
    return (
        f"worker_processes {workers};\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\ndaemon off;\n"
        "events { worker_connections 4096; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    access_log off;\n    sendfile on;\n    keepalive_requests 100000;\n"
        f"    client_body_temp_path {tmp}/body;\n    proxy_temp_path {tmp}/proxy;\n    fastcgi_temp_path {tmp}/fastcgi;\n"
        f"    uwsgi_temp_path {tmp}/uwsgi;\n    scgi_temp_path {tmp}/scgi;\n"
        f"    server {{ listen 127.0.0.1:{port} default_server; return 404 \"unknown host\\n\"; }}\n"
        f"    include {(out / 'nginx-sites.conf').resolve()};\n}}\n"
    )


def write_nginx_conf(out: Path, port: int, workers: int = 1) -> Path:
    (out / "nginx-tmp").mkdir(parents=True, exist_ok=True)
    p = out / "nginx.conf"
    p.write_text(nginx_conf(out, port, workers), encoding="utf-8")
    return p


def summary(stats: dict[str, int]) -> str:
    return json.dumps(stats)

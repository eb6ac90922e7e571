"""The notice as one self-contained HTML page (charts inlined as PNG data URLs)."""

from __future__ import annotations

import base64
from html import escape

from govsite.reports.charts import Chart
from govsite.reports.compose import ComposedNotice
from govsite.reports.tables import Table

_CSS = """
body{margin:0;background:#eee;font-family:"仿宋_GB2312","仿宋","FangSong","Noto Serif CJK SC",serif;color:#000}
.page{background:#fff;max-width:210mm;margin:16px auto;padding:37mm 26mm 35mm 28mm;box-sizing:border-box}
h1.title{font-family:"方正小标宋简体","Noto Serif CJK SC",serif;font-size:22pt;text-align:center;line-height:1.6;margin:0 0 28pt}
p{font-size:16pt;line-height:28pt;text-indent:2em;margin:0;text-align:justify}
h2{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;font-size:16pt;font-weight:normal;text-indent:2em;margin:0;line-height:28pt}
h3{font-family:"楷体_GB2312","楷体","KaiTi","AR PL UKai CN","Noto Serif CJK SC",serif;font-size:16pt;font-weight:normal;text-indent:2em;margin:0;line-height:28pt}
p.att{text-indent:0;padding-left:2em}
p.sig{text-align:right;padding-right:4em;margin-top:28pt}
figure{margin:12pt 0;text-align:center}figure img{max-width:100%}
figcaption{font-size:12pt}
.annex{max-width:297mm;padding:20mm}
.annex h2{text-indent:0}
.annex h1{font-family:"方正小标宋简体","Noto Serif CJK SC",serif;font-size:18pt;text-align:center}
table{border-collapse:collapse;width:100%;font-size:10.5pt}
th,td{border:1px solid #000;padding:2px 4px;text-align:center}
th{font-family:"黑体","Noto Sans CJK SC",sans-serif;font-weight:normal}
td.l{text-align:left}td.flag{font-weight:bold;background:#f8d7da}tr.total td{font-family:"黑体","Noto Sans CJK SC",sans-serif}
.note{font-size:12pt;text-indent:0;margin-top:6pt}
"""


def render_html(notice: ComposedNotice, tables: list[Table], charts: list[Chart]) -> str:
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>{escape(''.join(notice.title_lines))}</title><style>{_CSS}</style></head><body>",
           '<div class="page">', '<h1 class="title">' + "<br>".join(escape(t) for t in notice.title_lines) + "</h1>"]
    h1_seen = 0
    for b in notice.blocks:
        if b.kind == "h1":
            h1_seen += 1
            if h1_seen == 2:
                out += [_figure(c) for c in charts]
            out.append(f"<h2>{escape(b.text)}</h2>")
        elif b.kind == "h2":
            out.append(f"<h3>{escape(b.text)}</h3>")
        elif b.kind == "para":
            out.append(f"<p>{escape(b.text)}</p>")
        elif b.kind == "attachments":
            out.append('<p class="att" style="margin-top:28pt">' + "<br>".join(escape(line) for line in b.lines) + "</p>")
        elif b.kind == "signature":
            out.append(f'<p class="sig">{escape(b.text)}</p>')
    out.append("</div>")
    for t in tables:
        out.append(_table(t))
    out.append("</body></html>")
    return "\n".join(out)


def _figure(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    return (f'<figure id="{chart.name}"><img alt="{escape(chart.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(chart.caption)}</figcaption></figure>")


def _table(t: Table) -> str:
    rows = []
    for r in range(t.header_rows):
        cells = "".join(
            f'<th rowspan="{h.rowspan}" colspan="{h.colspan}">{escape(h.text)}</th>' for h in t.header if h.row == r
        )
        rows.append(f"<tr>{cells}</tr>")
    head = "<thead>" + "".join(rows) + "</thead>"
    body = []
    for i, values in enumerate(t.rows):
        tds = []
        for c, v in enumerate(values):
            cls = " ".join(x for x in ("l" if c in t.wrap_cols else "", "flag" if (i, c) in t.flagged else "") if x)
            tds.append(f'<td class="{cls}">{escape(str(v))}</td>' if cls else f"<td>{escape(str(v))}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    if t.total:
        body.append('<tr class="total">' + "".join(f"<td>{escape(str(v))}</td>" for v in t.total) + "</tr>")
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    return (f'<div class="page annex" id="attachment{t.number}"><h2>附件{t.number}</h2><h1>{escape(t.title)}</h1>'
            f"<table>{head}<tbody>{''.join(body)}</tbody></table>{note}</div>")

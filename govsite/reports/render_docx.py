"""The notice as DOCX in the official document style (GB/T 9704-2012).

A4, margins top 37 mm / bottom 35 mm / left 28 mm / right 26 mm; title in 小标宋 (bold serif)
22 pt; body in 仿宋 16 pt with a fixed 28 pt line pitch; 一、 headings in 黑体, （一） headings
in 楷体; page numbers "— 1 —" in 宋体 14 pt at the bottom, odd pages right and even pages left.
When the official fonts are not installed, Debian's Noto CJK fonts stand in, declared as
east-Asian fonts so LibreOffice and Word use them for Chinese text. Attachments 1–4 follow on
landscape pages, each a table whose header rows repeat on every page."""

from __future__ import annotations

import io
import subprocess
from functools import lru_cache

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from govsite.reports.charts import Chart
from govsite.reports.compose import ComposedNotice
from govsite.reports.tables import Table

# Official face → stand-in when it is not installed.
_FACES = {
    "title": (("方正小标宋简体", "方正小标宋_GBK", "华文中宋"), "Noto Serif CJK SC"),
    "body": (("仿宋_GB2312", "仿宋", "FangSong"), "Noto Serif CJK SC"),
    "h1": (("黑体", "SimHei"), "Noto Sans CJK SC"),
    "h2": (("楷体_GB2312", "楷体", "KaiTi", "AR PL UKai CN", "AR PL KaitiM GB"), "Noto Serif CJK SC"),
    "page": (("宋体", "SimSun"), "Noto Serif CJK SC"),
}
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
LINE_PT = 28  # 22 lines in the 225 mm type area


@lru_cache(maxsize=1)
def _installed_families() -> frozenset[str]:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    names: set[str] = set()
    for line in out.splitlines():
        names.update(n.strip() for n in line.split(","))
    return frozenset(names)


def face(role: str) -> str:
    official, fallback = _FACES[role]
    installed = _installed_families()
    return next((f for f in official if f in installed), fallback)


def _set_font(run_or_style, name: str, size: float | None = None, bold: bool | None = None) -> None:  # noqa: ANN001
    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _fixed_spacing(paragraph, line_pt: float = LINE_PT) -> None:  # noqa: ANN001
    pf = paragraph.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line_pt)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _para(doc, text: str, role: str = "body", size: float = BODY_PT, bold: bool = False,  # noqa: ANN001
          align=None, indent_chars: float = 2, line_pt: float = LINE_PT):  # noqa: ANN001
    p = doc.add_paragraph()
    _fixed_spacing(p, line_pt)
    if align is not None:
        p.alignment = align
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent_chars:
        p.paragraph_format.first_line_indent = Pt(size * indent_chars)
    run = p.add_run(text)
    _set_font(run, face(role), size, bold)
    return p


def _page_field(paragraph, size: float) -> None:  # noqa: ANN001
    """— PAGE — with a real PAGE field, so every page shows its own number."""
    name = face("page")
    r = paragraph.add_run("— ")
    _set_font(r, name, size)
    run = paragraph.add_run()
    _set_font(run, name, size)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    r = paragraph.add_run(" —")
    _set_font(r, name, size)


def _footers(section) -> None:  # noqa: ANN001
    section.footer_distance = Mm(28 - 7)  # the number sits ~7 mm below the type area
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.text = ""
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        _page_field(p, 14)


def _page_setup(section, landscape: bool = False) -> None:  # noqa: ANN001
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _table_styles(doc) -> None:  # noqa: ANN001
    """Paragraph styles for table cells, so a cell's run needs no font properties of its own
    (thousands of cells: per-run fonts would dominate the rendering time)."""
    from docx.enum.style import WD_STYLE_TYPE

    for name, role, size in (("表格正文", "body", 10.5), ("表格正文小", "body", 9),
                             ("表格表头", "h1", 10.5), ("表格表头小", "h1", 9)):
        if name in [s.name for s in doc.styles]:
            continue
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles["Normal"]
        _set_font(st, face(role), size)
        pf = st.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = 1.0
        pf.first_line_indent = Pt(0)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(doc, table: Table, usable_cm: float) -> None:  # noqa: ANN001
    """The table as one WordprocessingML fragment (built as text and parsed once: fast for
    the ~2000 cells of attachment 1). Header rows repeat on every page; merged header cells
    use gridSpan / vMerge; the totals row is in the heading face."""
    from docx.oxml import parse_xml

    small = table.ncols > 12
    body_style = doc.styles["表格正文小" if small else "表格正文"].style_id
    head_style = doc.styles["表格表头小" if small else "表格表头"].style_id
    weights = table.widths or [1] * table.ncols
    twips = [int(w * usable_cm / sum(weights) * 567) for w in weights]  # 567 twips per cm

    def para(text: str, style: str, align: str, bold: bool = False) -> str:
        rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return (f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{align}"/></w:pPr>'
                f'<w:r>{rpr}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r></w:p>')

    def cell(col: int, span: int, content: str, vmerge: str | None = None) -> str:
        width = sum(twips[col:col + span])
        props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            props += f'<w:gridSpan w:val="{span}"/>'
        if vmerge:
            props += f'<w:vMerge w:val="{vmerge}"/>' if vmerge == "restart" else "<w:vMerge/>"
        props += '<w:vAlign w:val="center"/>'
        return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"

    rows = []
    for r in range(table.header_rows):
        cells, col = [], 0
        starts = {h.col: h for h in table.header if h.row == r}
        covering = {c: h for h in table.header if h.row < r < h.row + h.rowspan or (h.row < r and h.row + h.rowspan > r)
                    for c in range(h.col, h.col + h.colspan)}
        while col < table.ncols:
            if col in starts:
                h = starts[col]
                cells.append(cell(col, h.colspan, para(h.text, head_style, "center"),
                                  "restart" if h.rowspan > 1 else None))
                col += h.colspan
            elif col in covering:
                h = covering[col]
                cells.append(cell(col, h.colspan, para("", head_style, "center"), "continue"))
                col += h.colspan
            else:
                cells.append(cell(col, 1, para("", head_style, "center")))
                col += 1
        rows.append('<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>' + "".join(cells) + "</w:tr>")
    body = list(table.rows) + ([table.total] if table.total else [])
    for i, values in enumerate(body):
        is_total = table.total is not None and i == len(body) - 1
        style = head_style if is_total else body_style
        cells = [
            cell(c, 1, para(str(v), style, "left" if c in table.wrap_cols else "center", (i, c) in table.flagged))
            for c, v in enumerate(values)
        ]
        rows.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cells) + "</w:tr>")
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    xml = (f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
           f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')
    doc.element.body.append(parse_xml(xml))
    # Keep the section properties last in the body (Word requires sectPr to be the final child).
    sect = doc.element.body.find(qn("w:sectPr"))
    if sect is not None:
        doc.element.body.append(sect)


def render_docx(notice: ComposedNotice, tables: list[Table], charts: list[Chart]) -> bytes:
    doc = Document()
    doc.settings.odd_and_even_pages_header_footer = True
    normal = doc.styles["Normal"]
    _set_font(normal, face("body"), BODY_PT)
    _table_styles(doc)
    section = doc.sections[0]
    _page_setup(section)
    _footers(section)

    # Title: two lines of 小标宋 22 pt, one blank line after (GB/T 9704 §7.3.3).
    for line in notice.title_lines:
        _para(doc, line, "title", TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0, line_pt=35)
    _para(doc, "", indent_chars=0)

    chart_after_section_one = True
    seen_h1 = 0
    for block in notice.blocks:
        if block.kind == "h1":
            seen_h1 += 1
            if seen_h1 == 2 and chart_after_section_one:
                _charts(doc, charts)
                chart_after_section_one = False
            _para(doc, block.text, "h1").paragraph_format.keep_with_next = True
        elif block.kind == "h2":
            _para(doc, block.text, "h2").paragraph_format.keep_with_next = True
        elif block.kind == "para":
            _para(doc, block.text)
        elif block.kind == "attachments":
            # 附件：1.… with the following numbers aligned under "1." (GB/T 9704 §7.3.6).
            _para(doc, "", indent_chars=0)
            for i, line in enumerate(block.lines):
                p = _para(doc, line.strip("　 "), indent_chars=0)
                p.paragraph_format.left_indent = Pt(BODY_PT * 5)
                p.paragraph_format.first_line_indent = Pt(-BODY_PT * 3) if i == 0 else Pt(0)
        elif block.kind == "signature":
            _para(doc, "", indent_chars=0)
            p = _para(doc, block.text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent_chars=0)
            p.paragraph_format.right_indent = Pt(BODY_PT * 4)
    if chart_after_section_one:
        _charts(doc, charts)

    for table in tables:
        sec = doc.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(sec, landscape=True)
        _para(doc, f"附件{table.number}", "h1", indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
        _para(doc, table.title, "title", 18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0, line_pt=30)
        usable = (297 - 37 - 35) / 10
        _table(doc, table, usable)
        if table.note:
            _para(doc, table.note, size=12, indent_chars=0, line_pt=20)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _charts(doc, charts: list[Chart]) -> None:  # noqa: ANN001
    for chart in charts:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(6)
        p.add_run().add_picture(io.BytesIO(chart.png), width=Cm(min(chart.width_cm, 15.5)))
        _para(doc, chart.caption, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0, line_pt=20)

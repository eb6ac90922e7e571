import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook

from govsite.reports.compose import ComposeOptions
from govsite.reports.data import ReportDataError
from govsite.reports.generate import generate
from govsite.reports.render_pdf import PdfUnavailable, docx_to_pdf
from tests.reports.factory import make_notice

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
OPTIONS = dict(issue_date=dt.date(2017, 11, 18))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("notice")
    result = generate(make_notice(), out, ComposeOptions(**OPTIONS), formats=("docx", "xlsx", "html"))
    return result


def _texts(doc):
    return [p.text for p in doc.paragraphs]


def test_docx_has_official_layout_and_headings(outputs):
    doc = Document(str(outputs.files["docx"]))
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(1) and abs(sec.page_height - Mm(297)) < Mm(1)
    assert [round(x / Mm(1)) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
    texts = _texts(doc)
    assert texts[:2] == ["2017年第三季度", "全国政府网站抽查情况通报"]
    for heading in ("一、抽查情况", "二、主要问题", "三、工作要求", "（一）少数地区和部门落实《指引》要求不到位。"):
        assert heading in texts
    title = doc.paragraphs[0].runs[0]
    assert title.font.bold and title.font.size.pt == 22
    assert title._r.rPr.rFonts.get(qn("w:eastAsia"))  # declared as east-Asian font
    body = doc.paragraphs[texts.index("一、抽查情况") + 1].runs[0]
    assert body.font.size.pt == 16
    h1 = doc.paragraphs[texts.index("一、抽查情况")].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia"))
    assert h1 != body._r.rPr.rFonts.get(qn("w:eastAsia"))  # 黑体-style heading, 仿宋-style body
    # Page numbers: a PAGE field in odd and even footers.
    footer_xml = sec.footer._element.xml + sec.even_page_footer._element.xml
    assert footer_xml.count("PAGE") == 2 and "— " in footer_xml
    # Charts are embedded.
    assert len(doc.inline_shapes) == 3


def test_docx_attachment_tables_shapes_and_totals(outputs):
    doc = Document(str(outputs.files["docx"]))
    tables = doc.tables
    assert len(tables) == 4
    a1, a2, a3, a4 = tables
    data = make_notice()
    assert len(a1.rows) == 2 + len(data.units) + 1 and len(a1.columns) == 18
    assert len(a2.rows) == 2 + len(data.regions) + 1 and len(a2.columns) == 12
    assert len(a3.rows) == 2 + len(data.departments) + 1 and len(a3.columns) == 8
    assert len(a4.rows) == 1 + len(data.problem_sites)
    # Attachment 2 totals row: every running-site column sums, and the rate is of the sums.
    total = [c.text for c in a2.rows[-1].cells]
    body = [[c.text for c in r.cells] for r in a2.rows[2:-1]]
    assert total[1] == "合计"
    for col in range(2, 11):
        assert int(total[col]) == sum(int(r[col]) for r in body)
    assert total[8] == str(data.running_total - data.running_by_category[0])
    assert total[11] == "92%"  # 35/38 regions only
    # A department with no sites shows "—", never a division error.
    row = next(r for r in a3.rows if r.cells[1].text == "国家安全部")
    assert [c.text for c in row.cells][2:] == ["0", "0", "0", "0", "0", "—"]
    a1_bm09 = next(r for r in a1.rows if r.cells[1].text == "国家安全部")
    assert a1_bm09.cells[4].text == "—" and a1_bm09.cells[8].text == "—"
    assert a1.rows[-1].cells[2].text == str(data.running_total)


def test_xlsx_sheets_totals_and_print_setup(outputs):
    wb = load_workbook(outputs.files["xlsx"])
    assert wb.sheetnames == ["附件1", "附件2", "附件3", "附件4"]
    ws = wb["附件2"]
    assert ws["A2"].value == "各地区政府网站运行和抽查情况" and ws["A1"].value == "附件2"
    assert [ws.cell(4, c).value for c in range(3, 10)] == ["省级门户", "省级部门", "市级门户", "市级部门", "县级门户", "县级以下", "合计"]
    first, last = 5, 5 + len(make_notice().regions)
    assert ws.cell(last, 2).value == "合计"
    for col in range(3, 12):
        assert ws.cell(last, col).value == sum(ws.cell(r, col).value for r in range(first, last))
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$4"
    a1 = wb["附件1"]
    n_units = len(make_notice().units)
    assert a1.cell(5 + n_units, 2).value == "合计"
    assert a1.cell(5 + n_units, 3).value == make_notice().running_total
    assert a1.cell(5 + n_units, 4).value == sum(a1.cell(r, 4).value for r in range(5, 5 + n_units))
    assert wb["附件4"].cell(4, 3).value == "某县人民政府"


def test_html_is_self_contained(outputs):
    html = outputs.files["html"].read_text(encoding="utf-8")
    assert "<h2>一、抽查情况</h2>" in html and "<h3>（一）少数地区和部门落实《指引》要求不到位。</h3>" in html
    assert html.count("data:image/png;base64,") == 3
    assert html.count('<div class="page annex"') == 4
    assert 'href="http' not in html and "<script" not in html


def test_data_json_is_written_and_reloadable(outputs):
    from govsite.reports.data import NoticeData

    assert NoticeData.load(outputs.files["json"]) == make_notice()


def test_unknown_format_is_refused_before_writing(tmp_path):
    with pytest.raises(ReportDataError, match="未知的输出格式"):
        generate(make_notice(), tmp_path / "x", formats=("docx", "odt"))
    assert not (tmp_path / "x").exists()


def test_missing_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no libreoffice/soffice on this PATH
    with pytest.raises(PdfUnavailable, match="未找到 LibreOffice"):
        generate(make_notice(), tmp_path / "y", formats=("docx", "pdf"))
    assert not (tmp_path / "y").exists()


@pytest.mark.slow
def test_pdf_pages_as_png(outputs):
    if not shutil.which("libreoffice") and not shutil.which("soffice"):
        pytest.fail("LibreOffice is required (make system-deps)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = docx_to_pdf(outputs.files["docx"], ARTIFACTS)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 5  # body pages plus one landscape page per attachment
    for old in ARTIFACTS.glob("notice-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "notice-page")], check=True)
    pngs = sorted(ARTIFACTS.glob("notice-page-*.png"))
    assert len(pngs) == pages
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts  # Chinese text set in the Noto CJK stand-ins, not a fallback box font
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "全国政府网站抽查情况通报" in text and re.search(r"—\s*1\s*—", text)

"""The dashboard's report for the monthly meeting: an Excel workbook and a printable PDF of the
same tables as the page (``dashboard_tables``), always in Vietnamese. Excel holds numbers as
numbers (so they can be summed) with a format that shows two decimals; N/A stays text. The PDF is
drawn with ReportLab's tables in DejaVu Sans, embedded, as the tracking book's PDF is."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation

from motcua.common.clock import now

from .charts import dashboard_charts
from .dashboard import Dashboard
from .dashboard_tables import (
    COUNT,
    PERCENT,
    TEXT,
    Cell,
    Table,
    all_tables,
    focus_text,
    period_text,
    scope_name,
)
from .figures import NA, day
from .models import DossierFact
from .pdf_charts import chart_story

USABLE_WIDTH = 595.0 - 72  # A4 portrait less the margins
TITLE = "Báo cáo giám sát giải quyết thủ tục hành chính"
FORMATS = {COUNT: "#,##0", PERCENT: '0.00" %"'}  # points and days: two decimals
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LATE_HEADERS = [
    "Mã hồ sơ",
    "Thủ tục",
    "Đơn vị giải quyết",
    "Ngày tiếp nhận",
    "Hẹn trả",
    "Trạng thái",
]


def late_rows(late: Sequence[DossierFact]) -> list[list[Cell]]:
    rows = []
    for fact in late:
        dossier = fact.dossier
        rows.append([Cell(dossier.code or dossier.ref), Cell(dossier.procedure.name),
                     Cell(dossier.deciding_unit.name), Cell(day(dossier.received_at)),
                     Cell(day(fact.appointment)), Cell(dossier.get_status_display())])  # fmt: skip
    return rows


def tables_vi(dash: Dashboard, late: Sequence[DossierFact]) -> tuple[list[Table], list[str]]:
    """The tables and the heading lines, in Vietnamese whatever the page's language."""
    with translation.override("vi"):
        tables = all_tables(dash)
        tables.append(Table("late", "Hồ sơ trễ hạn", LATE_HEADERS, late_rows(late)))
        lines = [TITLE, f"Đơn vị: {scope_name(dash)}", f"Kỳ báo cáo: {period_text(dash)}",
                 f"Ngày lập: {day(now())}"]  # fmt: skip
        if len(late) < dash.late:
            lines.append(
                f"Hồ sơ trễ hạn: {dash.late:,} hồ sơ; bảng “Hồ sơ trễ hạn” liệt kê {len(late):,} "
                "hồ sơ có hẹn trả sớm nhất (danh sách đủ trên trang giám sát).".replace(",", ".")
            )
        if focus_text(dash):
            lines.insert(2, focus_text(dash))
    return tables, lines


def xlsx_bytes(dash: Dashboard, late: Sequence[DossierFact]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    tables, lines = tables_vi(dash, late)
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "Báo cáo"
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    for table in tables:
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        sheet.append(table.headers)
        for column in range(1, len(table.headers) + 1):
            sheet.cell(row=sheet.max_row, column=column).font = Font(bold=True)
        for row in table.rows:
            sheet.append([excel_value(cell) for cell in row])
            for column, cell in enumerate(row, start=1):
                if cell.kind == TEXT:
                    text_only(sheet.cell(row=sheet.max_row, column=column))
                elif cell.value is not None:
                    sheet.cell(row=sheet.max_row, column=column).number_format = FORMATS.get(
                        cell.kind, "#,##0.00"
                    )
    sheet.column_dimensions["A"].width = 48
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_only(target: Any) -> None:
    """A name is text even when it starts with = (openpyxl would store it as a formula that
    Excel runs on opening: formula injection through a unit's or a procedure's name)."""
    target.data_type = "s"
    if str(target.value or "")[:1] in FORMULA_STARTS:
        target.quotePrefix = True  # Excel shows it as typed, and keeps it text when edited


def excel_value(cell: Cell) -> Any:
    if cell.kind == TEXT:
        return str(cell.value)
    return NA if cell.value is None else cell.value


def pdf_bytes(dash: Dashboard, late: Sequence[DossierFact]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable

    from motcua.dossiers.pdf_table import BOLD, REGULAR, register_fonts

    register_fonts()
    tables, lines = tables_vi(dash, late)
    with translation.override("vi"):
        drawn = dashboard_charts(dash)
    title = ParagraphStyle("title", fontName=BOLD, fontSize=14, leading=18, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=10)
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=8, leading=10)
    story: list[Any] = [Paragraph(escape(lines[0]), title)]
    story += [Paragraph(escape(line), body) for line in lines[1:]]
    for table in tables:
        if table.key == "units":  # the charts where the page has them: after the groups
            story += [Paragraph("Biểu đồ", title)]
            story += chart_story(drawn, USABLE_WIDTH, heading, body, REGULAR)
        story += [Paragraph(escape(table.title), heading), Spacer(1, 4)]
        bold = ParagraphStyle("bold", parent=body, fontName=BOLD)
        cells: list[list[Any]] = [[Paragraph(escape(h), bold) for h in table.headers]]
        # Paragraph reads markup: a name holding "<img src=...>" would load a file or a URL.
        cells += [[Paragraph(escape(cell.text), body) for cell in row] for row in table.rows]
        if len(cells) == 1:
            cells.append([Paragraph("Không có số liệu.", body)] + [""] * (len(table.headers) - 1))
        grid = PdfTable(cells, repeatRows=1, hAlign="LEFT", colWidths=widths(table))
        grid.setStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ])  # fmt: skip
        story.append(grid)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=f"{TITLE} — {lines[1]}", author="Mot Cua",
                                 leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36)  # fmt: skip
    document.build(story)
    return out.getvalue()


def widths(table: Table) -> list[float]:
    """A4 portrait less the margins: the first text column wide, the figures narrow."""
    usable = USABLE_WIDTH
    count = len(table.headers)
    if table.key in ("indicators", "late"):
        # A dossier code ("H26.CA00070-260302-0001") fits on one line, to be searched as is.
        code, name = (40.0, 190.0) if table.key == "indicators" else (135.0, 128.0)
        rest = (usable - code - name) / (count - 2)
        return [code, name] + [rest] * (count - 2)
    label = usable * 0.45
    return [label] + [(usable - label) / (count - 1)] * (count - 1)

"""Time to write a unit's tracking book (Sổ theo dõi hồ sơ) of N rows, as Excel and as PDF.

    .venv/bin/python bench/tracking_book_bench.py [--rows 50000] [--memory] [--weasyprint 300]
        [--platypus 2000] [--uncompressed-pages]

The rows are generated in memory (codes, procedure names of different lengths, Vietnamese names,
dates) and go through the same writers the worker uses (``xlsx_from_rows``, ``pdf_from_rows``),
so the figures leave the database out; ``tests/dossiers/test_tracking_book_large.py`` prints the
whole path (50,000 generated dossiers, rows streamed from the database) when run with ``-s``.
``--weasyprint N`` also times the HTML layout (WeasyPrint) on N rows, ``--platypus N`` ReportLab's
own table layout (``LongTable`` of ``Paragraph`` cells, and of pre-wrapped strings in tables of 300
rows) on N rows, for comparison; ``--uncompressed-pages`` leaves the pages' content to be
compressed when the file is written (ReportLab's default) to show what compressing each finished
page saves in memory.
Results go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.template.loader import render_to_string  # noqa: E402

from motcua.dossiers import pdf_table  # noqa: E402
from motcua.dossiers.tracking_book import COLUMNS, pdf_from_rows, xlsx_from_rows  # noqa: E402

PROCEDURES = [
    "Đăng ký thường trú",
    "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu",
    "Đăng ký khai sinh",
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp",
]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]


def rows(count: int) -> Iterator[list[Any]]:
    for number in range(1, count + 1):
        day = 1 + number % 28
        yield [
            number, f"H01.99.01-2603{day:02d}-{number % 10_000:04d}", PROCEDURES[number % 4], 1,
            NAMES[number % 5], f"0010900{number:05d}", "Công an phường Hoàn Kiếm",
            f"{day:02d}/03/2026 09:00", f"{day:02d}/04/2026 17:00",
            f"{day:02d}/04/2026 10:00" if number % 3 else "", "", "Đã trả kết quả",
            "đã yêu cầu bổ sung" if number % 17 == 0 else "",
        ]  # fmt: skip


def timed(label: str, write: Any, memory: bool) -> None:
    """Wall time; with ``memory``, a second run under tracemalloc for the peak (slower)."""
    started = time.perf_counter()
    out = io.BytesIO()
    count = write(out)
    elapsed = time.perf_counter() - started
    size = len(out.getvalue()) / 1_000_000
    print(
        f"{label}: {count:,} rows in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s), {size:.1f} MB"
    )
    if memory:
        tracemalloc.start()
        write(io.BytesIO())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  peak Python memory {peak / 1_000_000:.0f} MB (the output file included)")


def weasyprint(count: int) -> None:
    from weasyprint import HTML

    html = render_to_string(
        "dossiers/pdf/tracking_book.html",
        {"unit": {"name": "Công an phường Hoàn Kiếm"}, "year": 2026,
         "columns": [name for name, _w in COLUMNS], "rows": list(rows(count))},
    )  # fmt: skip
    started = time.perf_counter()
    HTML(string=html).write_pdf()
    elapsed = time.perf_counter() - started
    print(
        f"WeasyPrint (HTML table): {count:,} rows in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s)"
    )


def platypus(count: int) -> None:
    """ReportLab's flowables: what the canvas writer is compared with."""
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdf_table.register_fonts()
    margin, padding = pdf_table.MARGIN, pdf_table.PADDING
    style = ParagraphStyle(
        "cell", fontName=pdf_table.REGULAR, fontSize=pdf_table.SIZE, leading=pdf_table.LEADING,
        embeddedHyphenation=1, splitLongWords=1,
    )  # fmt: skip
    usable = pdf_table.PAGE_WIDTH - 2 * margin
    widths = [width * usable / sum(w for _n, w in COLUMNS) for _name, width in COLUMNS]
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), pdf_table.REGULAR, pdf_table.SIZE, pdf_table.LEADING),
        *[(side, (0, 0), (-1, -1), padding) for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")],
    ])  # fmt: skip

    def build(story: list[Any]) -> None:
        SimpleDocTemplate(
            io.BytesIO(), pagesize=(pdf_table.PAGE_WIDTH, pdf_table.PAGE_HEIGHT),
            leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        ).build(story)  # fmt: skip

    started = time.perf_counter()
    cells = [[Paragraph(escape(str(value)), style) for value in row] for row in rows(count)]
    header = [Paragraph(escape(name), style) for name, _w in COLUMNS]
    build([LongTable([header, *cells], colWidths=widths, repeatRows=1, style=grid)])
    elapsed = time.perf_counter() - started
    print(f"ReportLab LongTable of Paragraphs: {count:,} rows in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s)")  # fmt: skip

    started = time.perf_counter()
    wrapper = pdf_table.Wrapper(pdf_table.REGULAR)
    wrapped = [["\n".join(wrapper.lines(str(v), w - 2 * padding)) for v, w in zip(row, widths, strict=True)] for row in rows(count)]  # fmt: skip
    top = ["\n".join(wrapper.lines(name, w - 2 * padding)) for (name, _), w in zip(COLUMNS, widths, strict=True)]  # fmt: skip
    chunks = [wrapped[i : i + 300] for i in range(0, len(wrapped), 300)]
    build([Table([top, *chunk], colWidths=widths, repeatRows=1, style=grid) for chunk in chunks])
    elapsed = time.perf_counter() - started
    print(f"ReportLab Tables of 300 pre-wrapped rows: {count:,} rows in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s)")  # fmt: skip


def main() -> None:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--weasyprint", type=int, default=0)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--platypus", type=int, default=0)
    parser.add_argument("--uncompressed-pages", action="store_true")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    subtitle = "Công an phường Hoàn Kiếm — năm 2026 (Mẫu số 07, Thông tư 03/2025/TT-VPCP)"
    label = "PDF  (ReportLab canvas)"
    if args.uncompressed_pages:
        pdf_table.TablePdf._compress_page = lambda self, number: None  # type: ignore[method-assign]
        label += ", pages compressed at the end"
    timed(label, lambda out: pdf_from_rows(subtitle, rows(args.rows), out), args.memory)
    timed("xlsx (openpyxl write-only)", lambda out: xlsx_from_rows("SỔ THEO DÕI HỒ SƠ", "So theo doi 2026", rows(args.rows), out), args.memory)  # fmt: skip
    if args.weasyprint:
        weasyprint(args.weasyprint)
    if args.platypus:
        platypus(args.platypus)


if __name__ == "__main__":
    main()

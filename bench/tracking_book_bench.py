"""Time to write a unit's tracking book (Sổ theo dõi hồ sơ) of N rows, as Excel and as PDF.

    .venv/bin/python bench/tracking_book_bench.py [--rows 50000] [--weasyprint 300] [--memory]

The rows are generated in memory (codes, procedure names of different lengths, Vietnamese names,
dates) and go through the same writers the worker uses (``xlsx_from_rows``, ``pdf_from_rows``),
so the figures leave the database out; ``tests/dossiers/test_tracking_book_large.py`` prints the
whole path (50,000 generated dossiers, rows streamed from the database) when run with ``-s``.
``--weasyprint N`` also times the former HTML layout (WeasyPrint) on N rows, for comparison.
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


def main() -> None:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--weasyprint", type=int, default=0)
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    subtitle = "Công an phường Hoàn Kiếm — năm 2026 (Mẫu số 07, Thông tư 03/2025/TT-VPCP)"
    timed(
        "PDF  (pdf_table)", lambda out: pdf_from_rows(subtitle, rows(args.rows), out), args.memory
    )
    timed("xlsx (openpyxl write-only)", lambda out: xlsx_from_rows("SỔ THEO DÕI HỒ SƠ", "So theo doi 2026", rows(args.rows), out), args.memory)  # fmt: skip
    if args.weasyprint:
        weasyprint(args.weasyprint)


if __name__ == "__main__":
    main()

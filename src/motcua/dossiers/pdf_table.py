"""A long table as an A4 landscape PDF, drawn row by row on a ReportLab canvas.

WeasyPrint lays out about 25 rows a second and ReportLab's own tables a few hundred (a
``LongTable`` of ``Paragraph`` cells about 170, tables of pre-wrapped strings about 600), so a book
of 50,000 dossiers would take minutes to half an hour; this writer draws the same table (title,
bold header row repeated on every page, cells wrapped on words and after hyphens, grid,
"Trang N/M") with the canvas's text objects at 1,600-2,900 rows a second. Text is DejaVu Sans
(fonts-dejavu-core), embedded as a subset with a ToUnicode map, so Vietnamese can be searched and
copied. Each page is compressed as soon as it is full (``_compress_page``), so memory follows the
compressed file, not the drawing operations. See docs/decisions/0008-tracking-book-pdf.md."""

from __future__ import annotations

import io
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.textsplit import wordSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
REGULAR, BOLD = "MotCuaSans", "MotCuaSans-Bold"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 28.35  # 10 mm
SIZE = 6.5  # body text
LEADING = 8.0
PADDING = 1.6
MAX_LINES = 6  # a longer cell ends with "…"
CACHE_LIMIT = 50_000
TOTAL_FORM = "pageCount"  # drawn once at the end, shown on every page
# Page streams are Flate-compressed; ReportLab would also wrap them in ASCII85 (text-safe but a
# quarter larger, and its pure-Python encoder took a fifth of the time).
rl_config.useA85 = 0


def font_path() -> str:
    """``MOTCUA_PDF_FONT`` if set, else DejaVu Sans where Debian and others install it."""
    configured = getattr(settings, "MOTCUA_PDF_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_PATHS):
        if Path(candidate).is_file():
            return candidate
    raise FileNotFoundError("DejaVuSans.ttf (fonts-dejavu-core) is needed for PDF tables")


def register_fonts() -> None:
    """DejaVu Sans and its bold (the regular face if the bold one is missing), once a process."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    regular = font_path()
    bold = Path(regular).with_name("DejaVuSans-Bold.ttf")
    pdfmetrics.registerFont(TTFont(REGULAR, regular))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold) if bold.is_file() else regular))


class Wrapper:
    """Greedy line breaking on spaces and after hyphens (a dossier code breaks after its hyphens
    rather than anywhere), cutting only words too long for the column; widths from ReportLab."""

    def __init__(self, font: str, size: float = SIZE) -> None:
        self.font, self.size = font, size
        self.space = pdfmetrics.stringWidth(" ", font, size)
        self._cache: dict[tuple[str, float], list[str]] = {}

    def lines(self, text: str, width: float) -> list[str]:
        key = (text, width)
        found = self._cache.get(key)
        if found is None:
            found = clipped(self._wrap(text, width)) if text else []
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _wrap(self, text: str, limit: float) -> list[str]:
        measure, font, size = pdfmetrics.stringWidth, self.font, self.size
        if measure(text, font, size) <= limit:
            return [text]
        lines: list[str] = []
        current, used = "", 0.0
        for word, glue in pieces(text):
            width = measure(word, font, size)
            extra = self.space if glue and current else 0.0
            if current and used + extra + width <= limit:
                current, used = current + (glue if current else "") + word, used + extra + width
                continue
            if current:
                lines.append(current)
            if width > limit:
                *whole, (_spare, word) = wordSplit(word, limit, font, size)
                lines += [part for _spare, part in whole]
                width = measure(word, font, size)
            current, used = word, width
        if current:
            lines.append(current)
        return lines


def pieces(text: str) -> list[tuple[str, str]]:
    """Words with what joins them to the previous one: a space, or nothing after a hyphen."""
    found: list[tuple[str, str]] = []
    for word in text.split():
        parts = word.split("-")
        last = len(parts) - 1
        for index, part in enumerate(parts):
            piece = part if index == last else part + "-"
            if piece:
                found.append((piece, " " if index == 0 else ""))
    return found


def clipped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + " …"]


class TablePdf:
    """Rows in, pages out: ``add(row)`` for each row, then ``write(output)``."""

    def __init__(self, columns: Sequence[tuple[str, float]], title: str, subtitle: str) -> None:
        register_fonts()
        self.wrapper = Wrapper(REGULAR)
        usable = PAGE_WIDTH - 2 * MARGIN
        total = sum(width for _name, width in columns)
        self.widths = [width * usable / total for _name, width in columns]
        self.edges = [MARGIN]
        for width in self.widths:
            self.edges.append(self.edges[-1] + width)
        header = Wrapper(BOLD)
        self.header = [
            header.lines(name, width - 2 * PADDING)
            for (name, _width), width in zip(columns, self.widths, strict=True)
        ]
        self.title, self.subtitle = title, subtitle
        # written with getpdfdata() in write(): the target given here is never used
        self.canvas = Canvas(io.BytesIO(), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
        self.canvas.setTitle(f"{title} — {subtitle}")
        self.canvas.setCreator("Mot Cua")
        self.canvas.setPageCallBack(self._compress_page)
        self.top = self.y = 0.0
        self.pages = 0

    def add(self, row: Iterable[Any]) -> None:
        cells = [
            self.wrapper.lines(unicodedata.normalize("NFC", str(value)), width - 2 * PADDING)
            for value, width in zip(row, self.widths, strict=True)
        ]
        height = max(1, *(len(lines) for lines in cells)) * LEADING + 2 * PADDING
        if not self.pages or self.y - height < MARGIN + 12:
            self._new_page()
        self._row(cells, height, REGULAR)

    def write(self, output: BinaryIO) -> None:
        canvas = self.canvas
        if not self.pages:
            self._new_page()
            canvas.setFont(REGULAR, SIZE + 1)
            canvas.drawString(MARGIN + PADDING, self.y - 12, "Chưa có hồ sơ.")
        self._end_page()
        canvas.beginForm(TOTAL_FORM)
        canvas.setFont(REGULAR, SIZE)
        canvas.drawString(0, 0, str(self.pages))
        canvas.endForm()
        output.write(canvas.getpdfdata())

    def _new_page(self) -> None:
        canvas = self.canvas
        if self.pages:
            self._end_page()
        self.pages += 1
        self.y = PAGE_HEIGHT - MARGIN
        if self.pages == 1:
            self.y -= 12 * 1.3
            canvas.setFont(BOLD, 12)
            canvas.drawCentredString(PAGE_WIDTH / 2, self.y, self.title)
            self.y -= 8 * 1.3
            canvas.setFont(REGULAR, 8)
            canvas.drawCentredString(PAGE_WIDTH / 2, self.y, self.subtitle)
            self.y -= 4
        self.top = self.y
        height = max(len(lines) for lines in self.header) * LEADING + 2 * PADDING
        canvas.setFillGray(0.92)
        canvas.rect(MARGIN, self.y - height, self.edges[-1] - MARGIN, height, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.setLineWidth(0.4)
        self._row(self.header, height, BOLD)

    def _row(self, cells: list[list[str]], height: float, font: str) -> None:
        text = self.canvas.beginText()
        text.setFont(font, SIZE, LEADING)
        baseline = self.y - PADDING - SIZE
        for lines, left in zip(cells, self.edges, strict=False):
            if lines:
                text.setTextOrigin(left + PADDING, baseline)
                for line in lines:
                    text.textLine(line)
        self.canvas.drawText(text)
        self.y -= height
        self.canvas.line(MARGIN, self.y, self.edges[-1], self.y)

    def _end_page(self) -> None:
        canvas = self.canvas
        canvas.lines(
            [(x, self.top, x, self.y) for x in self.edges]
            + [(MARGIN, self.top, self.edges[-1], self.top)]
        )
        label = f"Trang {self.pages}/"
        canvas.setFont(REGULAR, SIZE)
        x = PAGE_WIDTH / 2 - pdfmetrics.stringWidth(label, REGULAR, SIZE)
        canvas.drawString(x, MARGIN / 2, label)
        canvas.saveState()
        canvas.translate(PAGE_WIDTH / 2, MARGIN / 2)
        canvas.doForm(TOTAL_FORM)
        canvas.restoreState()
        canvas.showPage()

    def _compress_page(self, _number: int) -> None:
        """The page just finished, its content stream compressed now rather than when the file
        is written: otherwise ReportLab keeps every page's drawing operations as text until the
        end (about 2 KB a row). Uses ReportLab's own stream object, whose ``Filter`` entry tells
        it the content is already encoded."""
        document = getattr(self.canvas, "_doc", None)
        pages = getattr(getattr(document, "Pages", None), "pages", None)
        page = pages[-1] if pages else None
        if page is None or not isinstance(page.stream, str) or page.Contents:
            return  # another ReportLab layout: it compresses at the end, as usual
        content = zlib.compress(page.stream.encode("utf8"), 6)
        encoded = PDFDictionary({"Filter": PDFArray([PDFName("FlateDecode")])})
        page.Contents = PDFStream(encoded, content)
        page.stream = None

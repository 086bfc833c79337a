"""A long table as an A4 landscape PDF, written directly (no HTML layout engine).

WeasyPrint lays out about 25 rows a second on the project's machine, so a book of 50,000
dossiers would take more than half an hour; this writer draws the same table (title, header row
repeated on every page, cells wrapped on words, grid, page numbers) at thousands of rows a
second, a page at a time, each page compressed as soon as it is full. Text uses one embedded
TrueType font (DejaVu Sans, as the other PDFs), subset to the glyphs used, with a ToUnicode map
so that the text can be searched and copied.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pydyf  # type: ignore[import-untyped]
from django.conf import settings
from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
PAGE_WIDTH, PAGE_HEIGHT = 841.89, 595.28  # A4 landscape, in points
MARGIN = 28.35  # 10 mm
SIZE = 6.5  # body text
LEADING = 8.0
PADDING = 1.6
MAX_LINES = 6  # a longer cell ends with "…"
CACHE_LIMIT = 50_000
HYPHENATED = re.compile(r"[^-]+-|[^-]+$|-+")
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)  # it logs every table at INFO


def font_path() -> str:
    """``MOTCUA_PDF_FONT`` if set, else DejaVu Sans where Debian and others install it."""
    configured = getattr(settings, "MOTCUA_PDF_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_PATHS):
        if Path(candidate).is_file():
            return candidate
    raise FileNotFoundError("DejaVuSans.ttf (fonts-dejavu-core) is needed for PDF tables")


class Font:
    """Glyph ids and advance widths of a TrueType font; remembers the glyphs used."""

    def __init__(self, path: str) -> None:
        self.path = path
        font = TTFont(path, lazy=True)
        scale = 1000 / font["head"].unitsPerEm
        metrics = font["hmtx"]
        self.glyphs: dict[str, int] = {}
        self.widths: dict[str, float] = {}
        for code, glyph in font.getBestCmap().items():
            self.glyphs[chr(code)] = font.getGlyphID(glyph)
            self.widths[chr(code)] = metrics[glyph][0] * scale
        head, hhea = font["head"], font["hhea"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent, self.descent = round(hhea.ascent * scale), round(hhea.descent * scale)
        self.used: dict[int, str] = {0: ""}
        self._hex: dict[str, bytes] = {}

    def measure(self, text: str) -> float:
        """Width in thousandths of the font size."""
        widths = self.widths
        return sum(widths.get(char, 600.0) for char in text)

    def encode(self, text: str) -> bytes:
        """The text as a PDF hex string of two-byte glyph ids (Identity-H)."""
        found = self._hex.get(text)
        if found is None:
            ids = [self.glyphs.get(char, 0) for char in text]
            for char, glyph in zip(text, ids, strict=True):
                self.used.setdefault(glyph, char)
            found = b"<" + "".join(f"{glyph:04x}" for glyph in ids).encode() + b">"
            if len(self._hex) > CACHE_LIMIT:
                self._hex.clear()
            self._hex[text] = found
        return found


class Wrapper:
    """Greedy line breaking on spaces (and inside words too long for the column)."""

    def __init__(self, font: Font) -> None:
        self.font = font
        self._cache: dict[tuple[str, float], list[str]] = {}

    def lines(self, text: str, width: float) -> list[str]:
        key = (text, width)
        found = self._cache.get(key)
        if found is None:
            found = self._wrap(text, width * 1000 / SIZE)
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _wrap(self, text: str, limit: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word, glue in pieces(text):
            candidate = f"{current}{glue}{word}" if current else word
            if self.font.measure(candidate) <= limit:
                current = candidate
                continue
            if current:
                lines.append(current)
            while self.font.measure(word) > limit and len(word) > 1:
                cut = self._fit(word, limit)
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        if current:
            lines.append(current)
        return clipped(lines) or [""]

    def _fit(self, word: str, limit: float) -> int:
        total = 0.0
        for index, char in enumerate(word):
            total += self.font.widths.get(char, 600.0)
            if total > limit:
                return max(1, index)
        return len(word)


def pieces(text: str) -> list[tuple[str, str]]:
    """Words with what joins them to the previous one: a space, or nothing after a hyphen (a
    dossier code breaks after its hyphens rather than anywhere)."""
    found: list[tuple[str, str]] = []
    for word in text.split():
        parts = HYPHENATED.findall(word) or [word]
        found += [(part, " " if index == 0 else "") for index, part in enumerate(parts)]
    return found


def clipped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + " …"]


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class TablePdf:
    """Rows in, pages out: ``add(row)`` for each row, then ``write(output)``."""

    def __init__(self, columns: Sequence[tuple[str, float]], title: str, subtitle: str) -> None:
        self.font = Font(font_path())
        self.wrapper = Wrapper(self.font)
        usable = PAGE_WIDTH - 2 * MARGIN
        total = sum(width for _name, width in columns)
        self.widths = [width * usable / total for _name, width in columns]
        self.edges = [MARGIN]
        for width in self.widths:
            self.edges.append(self.edges[-1] + width)
        self.header = [name for name, _width in columns]
        self.title, self.subtitle = title, subtitle
        self.pdf = pydyf.PDF()
        self.font_object = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type0"})
        self.pdf.add_object(self.font_object)
        self.ops: list[bytes] = []
        self.top = self.y = 0.0
        self.pages = 0

    def add(self, row: Iterable[Any]) -> None:
        cells = [
            self.wrapper.lines(unicodedata.normalize("NFC", str(value)), width - 2 * PADDING)
            for value, width in zip(row, self.widths, strict=True)
        ]
        height = max(len(lines) for lines in cells) * LEADING + 2 * PADDING
        if not self.ops or self.y - height < MARGIN + 12:
            self._new_page()
        self._row(cells, height)

    def write(self, output: BinaryIO) -> None:
        if not self.ops:
            self._new_page()
            self._text(MARGIN + PADDING, self.y - 12, "Chưa có hồ sơ.", SIZE + 1)
        self._end_page()
        self._font()
        self.pdf.info["Title"] = pydyf.String(f"{self.title} — {self.subtitle}")
        self.pdf.info["Producer"] = pydyf.String("Mot Cua")
        self.pdf.write(output, compress=True)

    def _new_page(self) -> None:
        if self.ops:
            self._end_page()
        self.pages += 1
        self.y = PAGE_HEIGHT - MARGIN
        if self.pages == 1:
            self._centred(self.title, 12)
            self._centred(self.subtitle, 8)
            self.y -= 4
        self.top = self.y
        header = [self.wrapper.lines(name, width - 2 * PADDING) for name, width in zip(self.header, self.widths, strict=True)]  # fmt: skip
        height = max(len(lines) for lines in header) * LEADING + 2 * PADDING
        box = f"0.92 g {number(MARGIN)} {number(self.y - height)} {number(self.edges[-1] - MARGIN)} {number(height)} re f 0 g"
        self.ops.append(box.encode())
        self._row(header, height)

    def _centred(self, text: str, size: float) -> None:
        width = self.font.measure(text) * size / 1000
        self.y -= size * 1.3
        self._text((PAGE_WIDTH - width) / 2, self.y, text, size)

    def _text(self, x: float, y: float, text: str, size: float) -> None:
        self.ops.append(
            b"BT /F1 %s Tf %s %s Td %s Tj ET"
            % (
                number(size).encode(),
                number(x).encode(),
                number(y).encode(),
                self.font.encode(text),
            )
        )

    def _row(self, cells: list[list[str]], height: float) -> None:
        parts = [b"BT /F1 " + number(SIZE).encode() + b" Tf"]
        for lines, left in zip(cells, self.edges, strict=False):
            baseline = self.y - PADDING - SIZE
            for line in lines:
                if line:
                    position = f"1 0 0 1 {number(left + PADDING)} {number(baseline)} Tm "
                    parts.append(position.encode() + self.font.encode(line) + b" Tj")
                baseline -= LEADING
        parts.append(b"ET")
        self.y -= height
        y = number(self.y).encode()
        parts.append(
            b"%s %s m %s %s l S" % (number(MARGIN).encode(), y, number(self.edges[-1]).encode(), y)
        )
        self.ops.append(b"\n".join(parts))

    def _end_page(self) -> None:
        top, bottom = number(self.top).encode(), number(self.y).encode()
        grid = [b"0.4 w"]
        grid += [
            b"%s %s m %s %s l" % (number(x).encode(), top, number(x).encode(), bottom)
            for x in self.edges
        ]
        grid.append(
            b"%s %s m %s %s l S"
            % (number(MARGIN).encode(), top, number(self.edges[-1]).encode(), top)
        )
        self.ops.insert(0, b"\n".join(grid))
        label = f"Trang {self.pages}"
        self._text(
            (PAGE_WIDTH - self.font.measure(label) * SIZE / 1000) / 2, MARGIN / 2, label, SIZE
        )
        content = pydyf.Stream([zlib.compress(b"\n".join(self.ops), 6)], {"Filter": "/FlateDecode"})
        self.pdf.add_object(content)
        resources = pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": self.font_object.reference})})
        page = pydyf.Dictionary({
            "Type": "/Page", "Parent": self.pdf.pages.reference, "Contents": content.reference,
            "MediaBox": pydyf.Array([0, 0, PAGE_WIDTH, PAGE_HEIGHT]), "Resources": resources,
        })  # fmt: skip
        self.pdf.add_page(page)
        self.ops = []

    def _font(self) -> None:
        """The Type0 font: the subset glyphs, their widths, and what text each glyph stands for."""
        name = "/MCTBLE+DejaVuSans"
        program = subset_program(self.font.path, sorted(self.font.used))
        file = pydyf.Stream([zlib.compress(program, 6)], {"Filter": "/FlateDecode", "Length1": len(program)})  # fmt: skip
        self.pdf.add_object(file)
        descriptor = pydyf.Dictionary({
            "Type": "/FontDescriptor", "FontName": name, "Flags": 32, "ItalicAngle": 0,
            "FontBBox": pydyf.Array(self.font.bbox), "Ascent": self.font.ascent,
            "Descent": self.font.descent, "CapHeight": self.font.ascent, "StemV": 80,
            "FontFile2": file.reference,
        })  # fmt: skip
        self.pdf.add_object(descriptor)
        widths = pydyf.Array()
        for glyph, char in sorted(self.font.used.items()):
            widths += [glyph, pydyf.Array([round(self.font.widths.get(char, 600.0))])]
        cid_font = pydyf.Dictionary({
            "Type": "/Font", "Subtype": "/CIDFontType2", "BaseFont": name,
            "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"), "Supplement": 0}),
            "FontDescriptor": descriptor.reference, "W": widths, "CIDToGIDMap": "/Identity",
        })  # fmt: skip
        self.pdf.add_object(cid_font)
        to_unicode = pydyf.Stream([zlib.compress(unicode_map(self.font.used), 6)], {"Filter": "/FlateDecode"})  # fmt: skip
        self.pdf.add_object(to_unicode)
        self.font_object.update({
            "BaseFont": name, "Encoding": "/Identity-H", "ToUnicode": to_unicode.reference,
            "DescendantFonts": pydyf.Array([cid_font.reference]),
        })  # fmt: skip


def subset_program(path: str, glyphs: list[int]) -> bytes:
    """The font with only ``glyphs`` (ids kept, so the content streams need no remapping)."""
    font = TTFont(path)
    options = subset.Options()
    options.retain_gids = True
    options.notdef_outline = True
    options.layout_features = []
    options.hinting = False
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=glyphs)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def unicode_map(used: dict[int, str]) -> bytes:
    """ToUnicode CMap: glyph id → the character it was drawn for."""
    pairs = [(glyph, char) for glyph, char in sorted(used.items()) if char]
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{glyph:04x}> <{char.encode('utf-16-be').hex()}>" for glyph, char in chunk]
        lines.append("endbfchar")
    lines += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    return "\n".join(lines).encode()

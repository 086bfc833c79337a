"""Small real files for upload tests: uploads are opened whole (decision 0033), so a few magic
bytes no longer pass for a PDF or an image."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter


def tiny_pdf(label: str = "", pages: int = 1) -> bytes:
    """A readable PDF of blank pages; ``label`` (kept as its title) makes its bytes distinct."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=72, height=72)
    if label:
        writer.add_metadata({"/Title": label})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tiny_image(kind: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


PDF = tiny_pdf()
PNG = tiny_image("PNG")
JPEG = tiny_image("JPEG")

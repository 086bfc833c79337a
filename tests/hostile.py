"""A corpus of hostile uploads, generated (nothing binary committed): each file with the words
its refusal must contain (decision 0033)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tests.files import JPEG, PNG, tiny_image, tiny_pdf

SCRIPT = "mã lệnh hoặc hành động tự chạy"
EMBEDDED = "tệp khác đính kèm bên trong"
AMBIGUOUS = "khai báo hai lần"
BROKEN_PDF = "Tệp PDF bị hỏng hoặc không đầy đủ"
BROKEN_IMAGE = "Ảnh bị hỏng hoặc không đầy đủ"
ZIP = "tệp nén (zip) giấu bên trong"
WRONG = "Chỉ nhận tệp PDF, PNG hoặc JPEG"


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    return writer


def action(kind: str, **more: object) -> DictionaryObject:
    found = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    for key, value in more.items():
        found[NameObject(f"/{key}")] = value  # type: ignore[assignment]
    return found


def pdf_with_javascript() -> bytes:
    """A document-level script in the /Names /JavaScript tree (run when the file opens)."""
    writer = blank()
    script = writer._add_object(action("/JavaScript", JS=TextStringObject("app.alert('x');")))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), script])})
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    writer._root_object[NameObject("/Names")] = names
    return written(writer)


def escaped_javascript() -> bytes:
    """An open action whose names are written with #-escapes (/J#53 is /JS)."""
    script = pdf_opening_with("/JavaScript", JS=TextStringObject("app.alert(1)"))
    return script.replace(b"/JS ", b"/J#53 ").replace(b"/JavaScript", b"/Java#53cript")


def pdf_opening_with(kind: str, **more: object) -> bytes:
    writer = blank()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action(kind, **more))
    return written(writer)


def duplicate_key(kind: bytes, hidden: bytes) -> bytes:
    """An open action whose key is written twice: pypdf keeps the first (harmless) value,
    other readers the second (``hidden``)."""
    if kind == b"/GoTo":
        base = pdf_opening_with("/GoTo", D=ArrayObject([NumberObject(0)]))
        return base.replace(b"/S /GoTo", b"/S /GoTo " + hidden, 1)
    base = pdf_opening_with("/URI", URI=TextStringObject("https://ok.vn"))
    return base.replace(b"\n>>\nendobj\nxref", b"\n" + hidden + b"\n>>\nendobj\nxref", 1)


def pdf_with_page_action() -> bytes:
    writer = blank()
    trigger = DictionaryObject({NameObject("/O"): action("/URI", URI=TextStringObject("http://x"))})
    writer.pages[0][NameObject("/AA")] = trigger
    return written(writer)


def pdf_with_attachment() -> bytes:
    writer = blank()
    writer.add_attachment("hoa-don.exe", b"MZ\x90\x00")
    return written(writer)


def pdf_with_attachment_annotation() -> bytes:
    writer = blank()
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject(),
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return written(writer)


def encrypted_pdf() -> bytes:
    writer = blank()
    writer.encrypt("mat-khau")
    return written(writer)


def zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes that say they are a width × height picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def corpus() -> list[tuple[str, str, bytes, str]]:
    """(case, file name, content, words of the refusal)."""
    pdf = tiny_pdf()
    return [
        ("html behind a PDF header", "don.pdf", b"%PDF-1.7\n<html><script>alert(1)</script>", BROKEN_PDF),
        ("PDF document JavaScript", "to-khai.pdf", pdf_with_javascript(), SCRIPT),
        ("PDF name-escaped JavaScript", "to-khai.pdf", escaped_javascript(), SCRIPT),
        ("PDF launch action", "to-khai.pdf", pdf_opening_with("/Launch", F=TextStringObject("cmd.exe")), SCRIPT),
        ("PDF page additional action", "to-khai.pdf", pdf_with_page_action(), SCRIPT),
        ("PDF javascript: link", "to-khai.pdf", pdf_opening_with("/URI", URI=TextStringObject("javascript:alert(3)")), SCRIPT),
        ("PDF file: link", "to-khai.pdf", pdf_opening_with("/URI", URI=TextStringObject(" FILE:///etc/passwd")), SCRIPT),
        ("PDF launch behind a repeated /S", "to-khai.pdf", duplicate_key(b"/GoTo", b"/S /Launch /F (calc.exe)"), AMBIGUOUS),
        ("PDF script link behind a repeated /URI", "to-khai.pdf", duplicate_key(b"/URI", b"/URI (javascript:alert(1))"), AMBIGUOUS),
        ("PDF thread to another file", "to-khai.pdf", pdf_opening_with("/Thread", F=TextStringObject("evil.pdf")), SCRIPT),
        ("PDF embedded file", "to-khai.pdf", pdf_with_attachment(), EMBEDDED),
        ("PDF file attachment annotation", "to-khai.pdf", pdf_with_attachment_annotation(), EMBEDDED),
        ("PDF encrypted", "to-khai.pdf", encrypted_pdf(), "mật khẩu"),
        ("PDF truncated", "to-khai.pdf", pdf[: len(pdf) * 2 // 3], BROKEN_PDF),
        ("PDF then zip", "to-khai.pdf", pdf + zip_of("a.js", b"x"), ZIP),
        ("JPEG then zip", "anh.jpg", JPEG + zip_of("a.exe", b"MZ"), ZIP),
        ("JPEG then other data", "anh.jpg", JPEG + b"<?php system($_GET[1]); ?>", "dữ liệu lạ phía sau"),
        ("PNG then data", "anh.png", PNG + b"#!/bin/sh\n", "dữ liệu lạ phía sau"),
        ("JPEG truncated", "anh.jpg", tiny_image("JPEG", (64, 64))[:300], BROKEN_IMAGE),
        ("PNG truncated", "anh.png", PNG[:40], BROKEN_IMAGE),
        ("PNG decompression bomb", "anh.png", png_claiming(100_000, 100_000), "Ảnh quá lớn"),
        ("PNG above our limit", "anh.png", png_claiming(10_000, 10_000), "Ảnh quá lớn"),
        ("PNG named .pdf", "giay-to.pdf", PNG, "nội dung là PNG"),
        ("executable", "giay-to.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64, WRONG),
        ("zip", "giay-to.zip", zip_of("a.pdf", pdf), WRONG),
    ]  # fmt: skip

"""Time that signing adds to an issued form: render (WeasyPrint) vs sign (pyHanko) vs verify.

    .venv/bin/python bench/signing_bench.py [--runs 20]

A receipt (Mẫu 01) is rendered from facts made here (no database) and signed with the local test
CA, in a temporary MOTCUA_SIGNING_DIR, exactly as ``legal_forms.issued_pdf`` signs it
(``motcua.signing.services.pdf_sign``). The first signature of a process also makes the CA and
the unit's key (once per unit, ever) and parses the key (once per process); the figures after it
are the steady state of a worker. ``--stock-signer`` also times pyHanko's own SimpleSigner, which
parses the RSA key again for each signature. Results go to docs/decisions/0010 by hand.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ["MOTCUA_SIGNING_DIR"] = tempfile.mkdtemp(prefix="motcua-signing-bench-")

import django  # noqa: E402

django.setup()

from motcua.dossiers.legal_forms import render_issued  # noqa: E402
from motcua.dossiers.models import IssuedDocument  # noqa: E402
from motcua.organizations.models import Unit  # noqa: E402
from motcua.signing.selectors import FINDERS, pdf_verify  # noqa: E402
from motcua.signing.services import pdf_sign  # noqa: E402

FACTS = {
    "number": "1/TNHS",
    "issued_at": "2026-03-02T09:00:00+07:00",
    "issued_by": "Cán bộ thử",
    "unit": {"name": "Phường Hoàn Kiếm"},
    "receiving_unit": {"name": "Phường Hoàn Kiếm"},
    "parent": {"name": "Thành phố Hà Nội"},
    "lookup_url": "http://localhost:8000/tra-cuu/?ma=H01.40-260302-0001",
    "limit": "7 ngày làm việc",
    "received_documents": ["Tờ khai thay đổi thông tin cư trú (CT01)", "Giấy tờ chứng minh chỗ ở hợp pháp"],
    "dossier": {
        "ref": "HS-0001", "code": "H01.40-260302-0001", "book_number": 1,
        "applicant_name": "Lê Văn Cường", "applicant_id_number": "001090012345",
        "applicant": {"phone": "0912345678", "address": "12 Hàng Bạc, Hoàn Kiếm"},
        "procedure": {"code": "1.004222", "name": "Đăng ký thường trú"},
        "received_at": "2026-03-02T09:00:00+07:00", "due_at": "2026-03-11T17:00:00+07:00",
        "statutory_due_at": "2026-03-11T17:00:00+07:00", "channel": "Trực tiếp",
    },
    "event": {"at": "2026-03-02T09:00:00+07:00", "reason": "", "items": [], "previous_due": None, "new_due": None},
}  # fmt: skip


def timed(action, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def line(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return (
        f"{name:<28} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   "
        f"max {ms[-1]:7.1f}   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--stock-signer", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    FINDERS.clear()  # no database here: verify times pyHanko alone, not the SHA-256 look-up
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    unit = Unit(
        code="hn-phuong-hoan-kiem", name="Phường Hoàn Kiếm", parent=Unit(name="Thành phố Hà Nội")
    )
    document = IssuedDocument(kind="receipt", number="1/TNHS", facts=FACTS)
    reason = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả số 1/TNHS"

    start = time.perf_counter()
    pdf = render_issued(document)
    print(f"first rendering (imports WeasyPrint)   {1000 * (time.perf_counter() - start):7.1f} ms")
    start = time.perf_counter()
    signed = pdf_sign(pdf, unit=unit, reason=reason, location="Hà Nội")
    print(
        f"first signature (imports pyHanko, makes the test CA and the unit's key) "
        f"{1000 * (time.perf_counter() - start):7.1f} ms"
    )
    print(
        f"receipt: {len(pdf):,} bytes unsigned, {len(signed):,} signed (+{len(signed) - len(pdf):,})"
    )

    print(line("render (WeasyPrint)", timed(lambda: render_issued(document), args.runs)))
    print(
        line(
            "sign (pyHanko, kept key)",
            timed(lambda: pdf_sign(pdf, unit=unit, reason=reason, location="Hà Nội"), args.runs),
        )
    )
    print(line("verify (pyHanko)", timed(lambda: pdf_verify(signed), args.runs)))
    if args.stock_signer:
        import io

        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        from motcua.signing.backends import signing_backend
        from motcua.signing.identity import SigningUnit

        kept = signing_backend().signer_for(SigningUnit.of(unit))
        stock = signers.SimpleSigner(
            signing_cert=kept.signing_cert,
            signing_key=kept.signing_key,  # type: ignore[attr-defined]
            cert_registry=kept.cert_registry,
        )
        meta = signers.PdfSignatureMetadata(
            field_name="ChuKySoDonVi", reason=reason, location="Hà Nội",
            subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        )  # fmt: skip
        print(line("sign (stock SimpleSigner)", timed(
            lambda: signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=stock), args.runs
        )))  # fmt: skip


if __name__ == "__main__":
    main()

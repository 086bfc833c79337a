from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from motcua.signing.constants import VerificationStatus
from motcua.signing.selectors import UnreadablePdf, pdf_verify


class Command(BaseCommand):
    help = (
        "Kiểm tra chữ ký số của một tệp PDF / check a PDF's digital signature "
        "(exit 0 valid, 1 not valid, 2 unreadable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="một dòng JSON / one JSON line"
        )

    def handle(self, *args: Any, file: Path, as_json: bool, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                f"Không đọc được {file} / cannot read: {error}", returncode=2
            ) from error
        with translation.override("vi"):
            try:
                result = pdf_verify(data)
            except UnreadablePdf as error:
                raise CommandError(str(error.message), returncode=2) from error
            if as_json:
                self.stdout.write(json_of(result))
            else:
                self.write_text(result)
        if result.status != VerificationStatus.VALID:
            raise CommandError(f"{result.status.value}", returncode=1)

    def write_text(self, result: Any) -> None:
        self.stdout.write(f"{result.status.label} ({result.status.value})")
        for number, signature in enumerate(result.signatures, start=1):
            when = signature.signed_at.strftime("%d/%m/%Y %H:%M %z") if signature.signed_at else "—"
            self.stdout.write(f"Chữ ký {number}: {signature.status.value}")
            self.stdout.write(f"  đơn vị / signer: {signature.signer} — {signature.authority}")
            self.stdout.write(f"  CA: {signature.issuer}")
            self.stdout.write(f"  thời điểm / signed at: {when}")
            self.stdout.write(
                f"  lý do / reason: {signature.reason}  nơi / location: {signature.location}"
            )
        if result.match is not None:
            match = result.match
            self.stdout.write(
                f"Văn bản / issued: {match.form} số {match.number}, {match.unit}, "
                f"{match.issued_at:%d/%m/%Y}{'' if match.exact else ' (phần đã ký / signed part)'}"
            )
        self.stdout.write(f"SHA-256: {result.sha256}")


def json_of(result: Any) -> str:
    return json.dumps(
        {
            "status": result.status.value,
            "sha256": result.sha256,
            "signatures": [
                {
                    "status": s.status.value,
                    "signer": s.signer,
                    "authority": s.authority,
                    "issuer": s.issuer,
                    "reason": s.reason,
                    "location": s.location,
                    "signed_at": s.signed_at.isoformat() if s.signed_at else None,
                }
                for s in result.signatures
            ],
            "issued": None
            if result.match is None
            else {
                "form": str(result.match.form),
                "number": result.match.number,
                "unit": result.match.unit,
                "issued_at": result.match.issued_at.isoformat(),
                "exact": result.match.exact,
            },
        },
        ensure_ascii=False,
    )

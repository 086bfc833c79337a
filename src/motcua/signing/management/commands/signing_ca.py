from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from motcua.organizations.models import Unit
from motcua.signing.identity import SigningUnit
from motcua.signing.testca import TestCertificateAuthority


class Command(BaseCommand):
    help = (
        "CA thử nghiệm để ký số văn bản (demo, kiểm thử) / the local test CA that signs issued "
        "forms in the demo and tests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit", action="append", default=[], help="mã đơn vị / unit code (repeatable)"
        )
        parser.add_argument(
            "--export-root", type=Path, help="ghi chứng thư gốc ra tệp / write the root (PEM)"
        )

    def handle(self, *args: Any, unit: list[str], export_root: Path | None, **options: Any) -> None:
        if not settings.EMBEDDED:
            raise CommandError(
                "Chế độ production không dùng CA thử nghiệm / production mode has no test CA",
                returncode=2,
            )
        ca = TestCertificateAuthority(Path(settings.MOTCUA_SIGNING_DIR) / "test-ca")
        root = ca.root_certificate()
        fingerprint = hashlib.sha256(root.public_bytes(serialization.Encoding.DER)).hexdigest()
        self.stdout.write(f"CA gốc / root: {root.subject.rfc4514_string()}")
        self.stdout.write(f"  {ca.root_cert_path}")
        self.stdout.write(f"  SHA-256 {fingerprint}")
        self.stdout.write(f"  hiệu lực đến / valid until {root.not_valid_after_utc:%d/%m/%Y}")
        if export_root is not None:
            export_root.write_bytes(root.public_bytes(serialization.Encoding.PEM))
            self.stdout.write(f"Đã ghi / written: {export_root}")
        for code in unit:
            found = unit_named(code)
            if found is None:
                raise CommandError(f"Không có đơn vị {code} / no such unit", returncode=2)
            credentials = ca.unit_credentials(SigningUnit.of(found))
            certificate = credentials.certificate
            self.stdout.write(f"{code}: {certificate.subject.rfc4514_string()}")
            self.stdout.write(f"  {ca.unit_paths(code)[1]}")
            self.stdout.write(
                f"  hiệu lực đến / valid until {certificate.not_valid_after_utc:%d/%m/%Y}"
            )
        made = sorted(
            path.name.removesuffix(".crt.pem") for path in (ca.folder / "units").glob("*.crt.pem")
        )
        self.stdout.write(
            f"Đơn vị đã có chứng thư / units with a certificate ({len(made)}): {', '.join(made) or '—'}"
        )
        self.stdout.write(
            "Các đơn vị khác nhận chứng thư khi ký văn bản đầu tiên / other units get theirs when "
            "they first sign."
        )


def unit_named(code: str) -> Unit | None:
    """The unit, or a plain refusal when the database has no units yet (an empty var folder:
    the command crashed with "no such table")."""
    try:
        return Unit.objects.select_related("parent").filter(code=code).first()
    except DatabaseError as error:
        raise CommandError(
            "Chưa có cơ sở dữ liệu đơn vị: chạy `motcua migrate` và `motcua load-units` trước / "
            "no units yet: run `motcua migrate` and `motcua load-units` first",
            returncode=2,
        ) from error

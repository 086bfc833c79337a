from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers.audit import audit_verify
from motcua.dossiers.models import Dossier


class Command(BaseCommand):
    help = "Kiểm tra chuỗi nhật ký hồ sơ / Verify the dossiers' event hash chains (`audit verify`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify"])
        parser.add_argument(
            "--dossier", help="Mã hồ sơ hoặc số tham chiếu / one dossier code or ref"
        )

    def handle(self, *args: Any, dossier: str | None, **options: Any) -> None:
        queryset = Dossier.objects.order_by("pk")
        if dossier:
            queryset = queryset.filter(code=dossier) | queryset.filter(ref=dossier)
            if not queryset.exists():
                raise CommandError(f"Không có hồ sơ {dossier} / no such dossier", returncode=2)
        checked, problems = audit_verify(queryset)
        for problem in problems:
            where = f"#{problem.seq}" if problem.seq is not None else ""
            self.stdout.write(f"{problem.dossier}{where}: {problem.problem}")
        if problems:
            raise CommandError(
                f"{len(problems)} vấn đề trong {checked} hồ sơ / {len(problems)} problem(s) in {checked} dossiers",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"Toàn vẹn / intact: {checked} hồ sơ / dossiers"))

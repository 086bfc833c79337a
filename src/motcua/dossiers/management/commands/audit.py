from __future__ import annotations

import os
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.common.clock import now
from motcua.dossiers.audit import ChainProblem
from motcua.dossiers.audit_keys import AuditKeyError, chain_key_rotate, signing_key_rotate
from motcua.dossiers.audit_roots import (
    AuditRefused,
    ScanReport,
    audit_publish,
    audit_rechain,
    audit_scan,
    roots_dir,
)
from motcua.dossiers.models import Dossier


class Command(BaseCommand):
    help = (
        "Nhật ký hồ sơ không thể sửa lén / The dossiers' sealed history: `audit verify` (chains "
        "and published roots), `audit publish` (a signed root now), `audit rechain` (one-time "
        "upgrade of old chains), `audit rotate-key [--signing]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify", "publish", "rechain", "rotate-key"])
        parser.add_argument(
            "--dossier", help="verify: mã hồ sơ hoặc số tham chiếu / one dossier code or ref"
        )
        parser.add_argument(
            "--root",
            type=int,
            help="verify: đối chiếu với gốc số N / against root N (default: latest)",
        )
        parser.add_argument(
            "--no-root", action="store_true", help="verify: chỉ kiểm tra chuỗi / chains only"
        )
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1,
            help="verify, publish: số tiến trình kiểm tra song song (PostgreSQL) / processes "
            "checking at once (PostgreSQL; default: one per core)",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--signing",
            action="store_true",
            help="rotate-key: khóa ký gốc / the roots' signing key",
        )

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        try:
            if what == "verify":
                show = not options["no_progress"] and options["verbosity"] > 0
                self.verify(
                    options["dossier"], options["root"], not options["no_root"],
                    workers=options["workers"], show=show,
                )  # fmt: skip
            elif what == "publish":
                self.publish(workers=options["workers"])
            elif what == "rechain":
                self.rechain()
            else:
                self.rotate(signing=options["signing"])
        except AuditKeyError as error:
            raise CommandError(str(error), returncode=2) from error

    def verify(
        self, dossier: str | None, root: int | None, against_root: bool, *, workers: int = 1,
        show: bool = False,
    ) -> None:  # fmt: skip
        queryset = None
        if dossier:
            queryset = Dossier.objects.filter(code=dossier) | Dossier.objects.filter(ref=dossier)
            if not queryset.exists():
                raise CommandError(f"Không có hồ sơ {dossier} / no such dossier", returncode=2)
        started = time.monotonic()
        total = Dossier.objects.count() if show and queryset is None else None
        with tqdm(total=total, unit="hồ sơ", file=sys.stderr, disable=not show) as bar:
            report = audit_scan(
                dossiers=queryset, against_root=against_root, root_number=root, workers=workers,
                progress=bar.update,
            )  # fmt: skip
        seconds = time.monotonic() - started
        self.print_problems(report.problems)
        for problem in report.root_problems:
            self.stdout.write(problem)
        if report.root is not None:
            document = report.root.document
            self.stdout.write(
                f"Đối chiếu gốc / against root #{report.root.number} "
                f"({document['published_at']}, {document['dossiers']} hồ sơ / dossiers)"
            )
        elif against_root and not report.root_problems:
            self.stderr.write(
                "Chưa có gốc nào được công bố: không phát hiện được hồ sơ bị xóa / no root "
                f"published yet in {roots_dir()}: deleted dossiers cannot be found "
                "(`motcua audit publish`)"
            )
        count = len(report.problems) + len(report.root_problems)
        speed = f"{seconds:.1f} s"
        if seconds >= 1:
            speed += f", {report.dossiers / seconds:,.0f} hồ sơ/giây / dossiers/s"
        if count:
            raise CommandError(
                f"{count} vấn đề trong {report.dossiers} hồ sơ / {count} problem(s) in "
                f"{report.dossiers} dossiers",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Toàn vẹn / intact: {report.dossiers} hồ sơ / dossiers, {report.events} sự kiện / "
                f"events ({speed})"
            )
        )

    def print_problems(self, problems: list[ChainProblem]) -> None:
        for problem in problems:
            where = f"#{problem.seq}" if problem.seq is not None else ""
            self.stdout.write(f"{problem.dossier}{where}: {problem.message}")

    def refused(self, error: AuditRefused) -> CommandError:
        report: ScanReport | None = error.report
        if report is not None:
            self.print_problems(report.problems)
            for problem in report.root_problems:
                self.stdout.write(problem)
        return CommandError(str(error), returncode=1)

    def publish(self, *, workers: int = 1) -> None:
        try:
            root, _report = audit_publish(at=now(), reason="manual", workers=workers)
        except AuditRefused as error:
            raise self.refused(error) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã công bố gốc / published root #{root.number}: {root.root} "
                f"({root.dossiers} hồ sơ / dossiers, {root.events} sự kiện / events) "
                f"in {roots_dir()}"
            )
        )

    def rechain(self) -> None:
        try:
            report = audit_rechain(at=now())
        except AuditRefused as error:
            raise self.refused(error) from error
        self.stdout.write(
            f"Đã niêm phong lại / resealed: {report.resealed} hồ sơ / dossiers, "
            f"{report.events} sự kiện / events"
        )
        if report.problems:
            self.print_problems(report.problems)
            raise CommandError(
                "Các chuỗi trên đã hỏng từ trước, chưa được niêm phong; chưa công bố gốc / the "
                "chains above were already broken and were left unsealed; no root published",
                returncode=1,
            )
        assert report.root is not None
        self.stdout.write(
            self.style.SUCCESS(f"Đã công bố gốc / published root #{report.root.number}")
        )

    def rotate(self, *, signing: bool) -> None:
        old, new = signing_key_rotate() if signing else chain_key_rotate()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã đổi khóa / key rotated: {old[:16]} → {new[:16]} (khóa cũ vẫn dùng để kiểm tra "
                "/ the old key still verifies). Khởi động lại các tiến trình / restart the "
                "processes."
            )
        )

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.backup.database import BackupError
from motcua.backup.service import RestoreRefused, RestoreReport, restore_run

EXIT_INTACT, EXIT_DIFFERENCES, EXIT_REFUSED, EXIT_FAILED = 0, 1, 2, 3


class Command(BaseCommand):
    help = (
        "Khôi phục từ tệp sao lưu vào cài đặt trống / Restore a backup archive into an empty "
        "installation (stop the web server and the worker first). Exit status: 0 restored and "
        "verified against the audit roots; 1 restored, but verification found differences "
        "(listed); 2 refused, nothing changed (archive altered or unreadable, other database, "
        "newer code, installation not empty without --force); 3 failed midway (rerun with --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp lưu trữ / the archive to restore")
        parser.add_argument(
            "--force",
            action="store_true",
            help="thay thế cài đặt không trống (xóa dữ liệu và tệp hiện có) / replace a non-empty "
            "installation (its data and files are deleted)",
        )

    def handle(self, *args: Any, file: str, force: bool, **options: Any) -> None:
        try:
            report = restore_run(Path(file), force=force)
        except RestoreRefused as error:
            raise CommandError(f"Từ chối / refused: {error}", returncode=EXIT_REFUSED) from error
        except BackupError as error:
            raise CommandError(
                f"Khôi phục dở dang / restore failed midway: {error}", returncode=EXIT_FAILED
            ) from error
        self.summary(report)
        self.verification(report)

    def summary(self, report: RestoreReport) -> None:
        manifest = report.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Đã khôi phục / restored: bản sao lưu / backup of {manifest['created_at']} "
            f"(phiên bản / version {manifest['app_version']}, {manifest['database']['vendor']}): "
            f"{rows} dòng / rows, {report.files} tệp / files, {report.roots_written} tệp gốc "
            "kiểm toán / audit root files"
        )
        if report.removed_files:
            self.stdout.write(f"Đã xóa tệp cũ / old files removed: {report.removed_files}")
        for path in report.roots_set_aside:
            self.stdout.write(f"Gốc cũ để riêng / previous root set aside: {path}")
        if report.migrated:
            self.stdout.write("Đã cập nhật lược đồ / schema migrated to this version")

    def verification(self, report: RestoreReport) -> None:
        for problem in report.count_problems:
            self.stdout.write(problem)
        audit = report.audit
        if report.audit_error:
            self.stdout.write(
                f"Không kiểm tra được nhật ký / audit not verified: {report.audit_error}"
            )
        elif audit is not None:
            for chain in audit.problems:
                where = f"#{chain.seq}" if chain.seq is not None else ""
                self.stdout.write(f"{chain.dossier}{where}: {chain.message}")
            for problem in audit.root_problems:
                self.stdout.write(problem)
            if audit.root is None and not audit.root_problems:
                self.stdout.write(
                    "Chưa có gốc kiểm toán nào: chỉ kiểm tra chuỗi / no audit root published: "
                    "chains checked, deleted dossiers cannot be detected"
                )
        if not report.clean:
            raise CommandError(
                "Đã khôi phục nhưng kiểm tra thấy khác biệt (xem trên) / restored, but "
                "verification found differences (above)",
                returncode=EXIT_DIFFERENCES,
            )
        assert audit is not None
        against = f" (gốc / root #{audit.root.number})" if audit.root is not None else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Toàn vẹn / intact{against}: {audit.dossiers} hồ sơ / dossiers, {audit.events} "
                "sự kiện / events"
            )
        )

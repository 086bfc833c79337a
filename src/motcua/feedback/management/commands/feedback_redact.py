"""``motcua feedback_redact``: after the redaction rules improved (a deployment), redact again
the public copies of the published feedback and the words the public search reads."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.feedback.services import public_copies_refresh


class Command(BaseCommand):
    help = (
        "Ẩn lại dữ liệu cá nhân trong các phản ánh đã công khai theo quy tắc hiện hành / "
        "redact the published feedback again with the rules in force"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = public_copies_refresh()
        self.stdout.write(
            f"Đã ẩn lại dữ liệu cá nhân của {changed} phản ánh / "
            f"{changed} published feedback redacted again"
        )

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.authority.demo import demo_delegations_ensure


class Command(BaseCommand):
    help = (
        "Ghi ủy quyền mẫu (KT. tại Phường Hoàn Kiếm) / Record the demo delegation (embedded mode)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.EMBEDDED:
            raise CommandError("Chỉ ở chế độ embedded / embedded mode only.", returncode=2)
        delegations = demo_delegations_ensure()
        if not delegations:
            raise CommandError(
                "Chưa có Phường Hoàn Kiếm hoặc tài khoản hoankiem.phochutich "
                "(chạy `motcua demo-accounts`) / run `motcua demo-accounts` first.",
                returncode=2,
            )
        for delegation in delegations:
            self.stdout.write(f"✓ {delegation}")

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.demo import demo_accounts_ensure


class Command(BaseCommand):
    help = "Tạo tài khoản mẫu / Create the demo accounts (embedded mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=None, help="Mật khẩu chung / shared password")

    def handle(self, *args: Any, password: str | None, **options: Any) -> None:
        if not settings.EMBEDDED:
            raise CommandError(
                "Chỉ tạo tài khoản mẫu ở chế độ embedded / demo accounts only in embedded mode.",
                returncode=2,
            )
        password = password or settings.MOTCUA_DEMO_PASSWORD
        try:
            logins = demo_accounts_ensure(password=password)
        except LookupError as error:
            raise CommandError(str(error), returncode=2) from error
        self.stdout.write(f"Tài khoản mẫu / demo logins (mật khẩu / password: {password}):")
        for login in logins:
            self.stdout.write(f"  {login.username:22} {login.description}")

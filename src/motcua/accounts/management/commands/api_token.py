from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts import permissions
from motcua.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Cấp mã truy cập API cho tài khoản cán bộ / Issue an API token for an officer account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="tích hợp / integration")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username} / no such account", returncode=2)
        if not permissions.is_officer(user):
            raise CommandError("Chỉ cấp cho tài khoản cán bộ / officer accounts only", returncode=2)
        self.stdout.write(ApiToken.issue(user, name))

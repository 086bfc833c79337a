from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.constants import ApiTokenScope, ChangeVia
from motcua.accounts.models import ApiToken, User
from motcua.accounts.tokens import api_token_issue, api_token_revoke
from motcua.common.clock import VIETNAM, now
from motcua.common.errors import DomainError
from motcua.organizations.models import Unit


class Command(BaseCommand):
    help = (
        "Cấp, liệt kê, thu hồi mã truy cập API của cán bộ / Issue, list or revoke an officer's "
        "API tokens.\n\n"
        "  motcua api-token cn1.tiepnhan --name 'tích hợp X' --scope read --unit hn-pvhcc-cn01\n"
        "  motcua api-token --list [cn1.tiepnhan]\n"
        "  motcua api-token --revoke 12"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="tài khoản cán bộ / officer account")
        parser.add_argument("--name", default="tích hợp / integration", help="tên mã / name")
        parser.add_argument(
            "--scope",
            choices=ApiTokenScope.values,
            default=ApiTokenScope.ACT,
            help="read: chỉ đọc / read only; act: đọc và thao tác / read and act (mặc định)",
        )
        parser.add_argument(
            "--unit",
            action="append",
            dest="units",
            metavar="CODE",
            help="giới hạn ở đơn vị này (lặp lại được; mặc định mọi đơn vị cán bộ có vai trò) / "
            "limit to this unit (repeatable; default: every unit of the officer's roles)",
        )
        parser.add_argument(
            "--days",
            type=int,
            help=f"thời hạn / lifetime (mặc định {settings.MOTCUA_API_TOKEN_DAYS}, "
            f"tối đa {settings.MOTCUA_API_TOKEN_MAX_DAYS})",
        )
        parser.add_argument("--list", action="store_true", help="liệt kê / list tokens")
        parser.add_argument("--revoke", type=int, metavar="ID", help="thu hồi / revoke token ID")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["revoke"] is not None:
            self.revoke(options["revoke"])
        elif options["list"]:
            self.list(options["username"])
        elif options["username"]:
            self.issue(options)
        else:
            raise CommandError("Cần tên tài khoản, --list hoặc --revoke ID / see --help")

    def issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(
                f"Không có tài khoản {options['username']} / no such account", returncode=2
            )
        units = None
        if options["units"]:
            found = {unit.code: unit for unit in Unit.objects.filter(code__in=options["units"])}
            unknown = [code for code in options["units"] if code not in found]
            if unknown:
                raise CommandError(
                    f"Không có đơn vị {', '.join(unknown)} / unknown units", returncode=2
                )
            units = list(found.values())
        try:
            token, secret = api_token_issue(
                actor=None, owner=user, name=options["name"], scope=options["scope"],
                units=units, days=options["days"],
            )  # fmt: skip
        except DomainError as error:
            raise CommandError(str(error.message), returncode=2) from error
        expires = token.expires_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
        self.stderr.write(
            f"Mã #{token.pk} “{token.name}”, phạm vi {token.scope}, hết hạn {expires}; chỉ hiện "
            "một lần / shown once:"
        )
        self.stdout.write(secret)

    def list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").prefetch_related("units")
        if username:
            tokens = tokens.filter(user__username=username)
        at = now()
        for token in tokens.order_by("pk"):
            units = ",".join(sorted(unit.code for unit in token.units.all()))
            expires = token.expires_at.astimezone(VIETNAM).strftime("%d/%m/%Y")
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.name}\t{token.scope}\t{units}\t"
                f"{expires}\t{token.status_on(at)}"
            )

    def revoke(self, pk: int) -> None:
        token = ApiToken.objects.filter(pk=pk).first()
        if token is None:
            raise CommandError(f"Không có mã #{pk} / no such token", returncode=2)
        try:
            api_token_revoke(actor=None, token=token, at=now(), via=ChangeVia.CLI)
        except DomainError as error:
            raise CommandError(str(error.message), returncode=2) from error
        self.stdout.write(f"Đã thu hồi mã #{pk} / token #{pk} revoked")

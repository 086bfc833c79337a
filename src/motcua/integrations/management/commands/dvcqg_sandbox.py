from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.integrations.dvcqg.sandbox import PortalSandbox


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError as error:
        raise CommandError(f"{name} phải là số / must be a number") from error


class Command(BaseCommand):
    help = (
        "Chạy Cổng DVCQG thử nghiệm / Run the National Public Service Portal sandbox (foreground; "
        "--fail, --lose, --twice, --slow-ms inject faults; POST /_faults changes them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8027)
        parser.add_argument(
            "--token", default=os.environ.get("MOTCUA_DVCQG_SANDBOX_TOKEN", "sandbox-session")
        )
        parser.add_argument(
            "--fail",
            type=float,
            default=env_float("MOTCUA_DVCQG_SANDBOX_FAIL", 0),
            help="share of calls answered 503 / tỉ lệ lỗi (0–1)",
        )
        parser.add_argument(
            "--lose",
            type=float,
            default=env_float("MOTCUA_DVCQG_SANDBOX_LOSE", 0),
            help="share of calls done whose reply is lost",
        )
        parser.add_argument(
            "--twice",
            type=float,
            default=env_float("MOTCUA_DVCQG_SANDBOX_TWICE", 0),
            help="share of calls reaching the portal twice",
        )
        parser.add_argument(
            "--slow-ms", type=int, default=int(env_float("MOTCUA_DVCQG_SANDBOX_SLOW_MS", 0))
        )
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sandbox = PortalSandbox(
                token=options["token"],
                host=options["host"],
                port=options["port"],
                quiet=False,
                fail=options["fail"],
                lose=options["lose"],
                twice=options["twice"],
                slow_ms=options["slow_ms"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Cổng DVCQG thử nghiệm / portal sandbox at {sandbox.url} — "
            f"MOTCUA_DVCQG_URL={sandbox.url} MOTCUA_DVCQG_TOKEN={options['token']}"
        )
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")

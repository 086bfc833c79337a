from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.notify.sandbox import SmsSandbox


class Command(BaseCommand):
    help = "Chạy nhà cung cấp SMS thử nghiệm / Run the local SMS provider sandbox (foreground)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument("--token", default="sandbox-token", help="bearer token to accept")

    def handle(self, *args: Any, host: str, port: int, token: str, **options: Any) -> None:
        sandbox = SmsSandbox(token=token, host=host, port=port, quiet=False)
        self.stdout.write(
            f"SMS sandbox at {sandbox.url} — MOTCUA_SMS_BACKEND=http MOTCUA_SMS_URL={sandbox.url} "
            f"MOTCUA_SMS_TOKEN={token}"
        )
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")

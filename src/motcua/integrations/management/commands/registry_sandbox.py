from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.registry.sandbox import RegistrySandbox


class Command(BaseCommand):
    help = (
        "Chạy các CSDL hộ tịch, dân cư, bảo hiểm xã hội thử nghiệm / Run the civil-status, "
        "population and social-insurance registry sandbox (foreground; POST /_faults injects "
        "latency, 5xx and lost replies)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8026)
        parser.add_argument("--token", default="sandbox-token", help="bearer token to accept")

    def handle(self, *args: Any, host: str, port: int, token: str, **options: Any) -> None:
        sandbox = RegistrySandbox(token=token, host=host, port=port, quiet=False)
        sandbox.demo_people_add()
        self.stdout.write(
            f"Registry sandbox at {sandbox.url} — MOTCUA_REGISTRY_URL={sandbox.url} "
            f"MOTCUA_REGISTRY_TOKEN={token}"
        )
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")

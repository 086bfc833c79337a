from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.payment.sandbox import PaymentSandbox


class Command(BaseCommand):
    help = (
        "Chạy cổng thanh toán thử nghiệm / Run the payment gateway sandbox (foreground; the "
        "payer's page, signed callbacks; POST /_faults injects latency, 5xx and duplicate "
        "callbacks)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8027)
        parser.add_argument("--token", default="sandbox-token", help="merchant token to accept")
        parser.add_argument("--secret", default="sandbox-secret", help="callback signing secret")
        parser.add_argument("--ttl", type=int, default=900, help="seconds before a payment expires")

    def handle(
        self, *args: Any, host: str, port: int, token: str, secret: str, ttl: int, **options: Any
    ) -> None:
        sandbox = PaymentSandbox(
            token=token, secret=secret, host=host, port=port, ttl_seconds=ttl, quiet=False
        )
        self.stdout.write(
            f"Payment sandbox at {sandbox.url} — MOTCUA_PAYMENT_URL={sandbox.url} "
            f"MOTCUA_PAYMENT_TOKEN={token} MOTCUA_PAYMENT_SECRET={secret}"
        )
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.oidc.sandbox import OidcSandbox

DEMO_REDIRECTS = [
    "http://127.0.0.1:8000/dang-nhap/vneid/ve/",
    "http://localhost:8000/dang-nhap/vneid/ve/",
]


class Command(BaseCommand):
    help = (
        "Chạy nhà cung cấp định danh VNeID thử nghiệm (OpenID Connect) / Run the VNeID-shaped "
        "OpenID Connect provider sandbox (foreground; test users at levels 2 and unverified)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8029)
        parser.add_argument("--client-id", default="motcua-demo")
        parser.add_argument("--client-secret", default="motcua-demo-secret")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            dest="redirect_uris",
            help="the client's callback URL (repeatable; default: the demo server's on port 8000)",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str] | None,
        **options: Any,
    ) -> None:
        sandbox = OidcSandbox(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=redirect_uris or DEMO_REDIRECTS,
            host=host,
            port=port,
            quiet=False,
        )
        self.stdout.write(
            f"VNeID sandbox at {sandbox.url} — MOTCUA_VNEID_ISSUER={sandbox.url} "
            f"MOTCUA_VNEID_CLIENT_ID={client_id} MOTCUA_VNEID_CLIENT_SECRET={client_secret}"
        )
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.demo import demo_accounts_ensure
from motcua.authority.demo import demo_delegations_ensure
from motcua.catalog.models import Procedure
from motcua.catalog.search import INDEX
from motcua.dossiers.models import AuditRoot
from motcua.integrations import demo
from motcua.organizations.models import Unit
from motcua.web.supervise import GaveUp, Supervisor
from motcua.worktime.models import SUPPORTED_YEARS
from motcua.worktime.sources import holiday_days


class Command(BaseCommand):
    help = (
        "Chuẩn bị và chạy web + worker / Prepare (migrate, load units, demo accounts, static) "
        "and run the web app and the background worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--reload-units", action="store_true", help="Nạp lại cây đơn vị và danh mục thủ tục"
        )
        parser.add_argument("--no-demo", action="store_true", help="Không tạo tài khoản mẫu")
        parser.add_argument(
            "--prepare-only", action="store_true", help="Chỉ chuẩn bị, không chạy / prepare only"
        )
        parser.add_argument(
            "--sandboxes", action="store_true",
            help="Chạy cả cổng thanh toán, Cổng DVCQG, CSDL quốc gia thử nghiệm / also run the "
            "payment gateway, national portal and registry sandboxes (those not configured)",
        )  # fmt: skip
        parser.add_argument(
            "--sandbox-port", type=int, default=8026,
            help="registries on this port, portal +1, gateway +2 (0: any free ports)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        # The sandboxes' ports are claimed first: a port in use is said before a minute of set-up.
        with_sandboxes = options["sandboxes"] and not options["prepare_only"]
        running = (
            self.start_sandboxes(options["sandbox_port"], options["port"])
            if with_sandboxes
            else None
        )
        try:
            self.prepare(reload_units=options["reload_units"], demo=not options["no_demo"])
            if options["prepare_only"]:
                return
            env = {**os.environ, **(running.env if running else {})}
            # The worker prints this address on every issued PDF (lookup link, QR code): the
            # port served, not the default 8000, unless the operator set it.
            env.setdefault("MOTCUA_PUBLIC_URL", public_url(options["host"], options["port"]))
            self.run_processes(options["host"], options["port"], options["web_workers"], env=env)
        finally:
            if running is not None:
                demo.stop(running)  # after the web app and the worker, which may still call them

    def start_sandboxes(self, base_port: int, web_port: int) -> demo.Running:
        """On this machine only, whatever --host the web app listens on."""
        try:
            running = demo.start(
                os.environ, host="127.0.0.1", base_port=base_port, web_port=web_port
            )
        except OSError as error:
            raise CommandError(
                f"Không mở được cổng hệ thống thử nghiệm / cannot listen for the sandboxes "
                f"({base_port}–{base_port + 3}; --sandbox-port chooses others): {error}"
            ) from error
        self.sandbox_lines = [
            f"{demo.NAMES[name]}: {server.url}" for name, server in running.servers.items()
        ]
        return running

    def prepare(self, *, reload_units: bool, demo: bool) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("✓ CSDL đã cập nhật / database migrated")
        self.audit_first_root()
        if reload_units or not Unit.objects.exists():
            call_command("load_units", stdout=self.stdout, stderr=self.stderr)
        else:
            self.stdout.write(
                f"✓ Dùng lại {Unit.objects.count()} đơn vị đã nạp / reusing loaded units"
            )
        if reload_units or not Procedure.objects.exists():
            call_command("import_catalog", no_progress=True, stdout=self.stdout, stderr=self.stderr)
        else:
            self.stdout.write(
                f"✓ Dùng lại {Procedure.objects.count()} thủ tục đã nạp / reusing the catalog"
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("✓ Tệp tĩnh / static files collected")
        # Built once here and kept on disk for the workers (catalog.search_store), rather than
        # by each worker on its first search.
        INDEX.get()
        self.stdout.write("✓ Chỉ mục tìm kiếm / search index ready")
        holiday_days(*SUPPORTED_YEARS)  # likewise the holidays (worktime.sources)
        if demo and settings.EMBEDDED:
            logins = demo_accounts_ensure(password=settings.MOTCUA_DEMO_PASSWORD)
            demo_delegations_ensure()  # a deputy signs "KT." at Phường Hoàn Kiếm
            self.logins = logins

    def audit_first_root(self) -> None:
        """Once, before any root is published: seal the chains written before decision 0009 and
        publish the first root (`audit rechain`). A chain that is already broken is reported and
        the server still starts; an operator repairs it by hand."""
        if AuditRoot.objects.exists():
            return
        try:
            call_command("audit", "rechain", stdout=self.stdout, stderr=self.stderr)
        except (CommandError, SystemExit) as error:
            self.stderr.write(f"!!! audit rechain: {error}")

    def run_processes(
        self, host: str, port: int, web_workers: int, env: dict[str, str] | None = None
    ) -> None:
        """Web, the dossier worker, the outbound-message worker and the scheduler; one that dies
        is restarted alone (decision 0037)."""
        supervisor = Supervisor(
            child_commands(host, port, web_workers), env=env, log=self.log,
            max_restarts=int(os.environ.get("MOTCUA_SERVE_MAX_RESTARTS", "5")),
        )  # fmt: skip
        stop = {"now": False}

        def request_stop(signum: int, frame: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            supervisor.start()
            self.print_banner(host, port)
            while not stop["now"]:
                supervisor.check()
                time.sleep(0.5)
        except GaveUp as error:
            raise CommandError(f"Dừng tất cả / stopping everything: {error}") from error
        finally:
            supervisor.stop()

    def log(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    def print_banner(self, host: str, port: int) -> None:
        url = public_url(host, port)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Một Cửa Hà Nội: {url}/"))
        self.stdout.write(f"  Sức khỏe / health: {url}/readyz")
        self.stdout.write(f"  Quản trị / admin:  {url}/quan-tri/")
        for line in getattr(self, "sandbox_lines", []):
            self.stdout.write(f"  Thử nghiệm / sandbox — {line}")
        logins = getattr(self, "logins", [])
        if logins:
            self.stdout.write(
                f"  Tài khoản mẫu / demo logins, mật khẩu / password: "
                f"{settings.MOTCUA_DEMO_PASSWORD}"
            )
            for login in logins:
                self.stdout.write(f"    {login.username:22} {login.description}")
        self.stdout.write("  Dừng / stop: Ctrl+C\n")


# gunicorn's settings that belong to the application (the same in production: docs/production.md).
GUNICORN_CONFIG = "python:motcua.web.gunicorn_conf"


def child_commands(host: str, port: int, web_workers: int) -> dict[str, list[str]]:
    python = sys.executable
    cli = [python, "-m", "motcua.cli"]
    worker = [*cli, "worker", "--no-reload", "--interval", "1"]
    return {
        "web": [
            python, "-m", "gunicorn", "--config", GUNICORN_CONFIG, "motcua.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(web_workers),
            "--access-logfile", "-", "--graceful-timeout", "10",
        ],
        "worker": [*worker, "--queue-name", "default"],
        # Messages to providers on a queue of their own: a slow provider holds up only them.
        "outbound": [*worker, "--queue-name", "outbound"],
        "scheduler": [*cli, "scheduler"],
    }  # fmt: skip


def public_url(host: str, port: int) -> str:
    """The address the banner shows and the documents print, for the host and port served."""
    shown_host = "localhost" if host in {"127.0.0.1", "0.0.0.0"} else host  # noqa: S104
    return f"http://{shown_host}:{port}"

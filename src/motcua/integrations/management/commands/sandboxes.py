from __future__ import annotations

import os
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.integrations import demo


class Command(BaseCommand):
    help = (
        "Chạy các hệ thống ngoài thử nghiệm cho bản demo / Run the demo's outside systems "
        "(payment gateway, national portal, registries, VNeID sign-in) until stopped; prints the settings "
        "pointing Một Cửa at them (`motcua serve --sandboxes` starts them with the web app)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--web-port", type=int, default=8000,
            help="the demo web app's port: VNeID sends citizens back to it",
        )  # fmt: skip
        parser.add_argument(
            "--port", type=int, default=8026,
            help="registries on PORT, portal on PORT+1, gateway on PORT+2, VNeID on PORT+3 (0: any)",
        )  # fmt: skip

    def handle(self, *args: Any, host: str, port: int, web_port: int, **options: Any) -> None:
        stopped = threading.Event()

        def request_stop(signum: int, frame: object) -> None:
            stopped.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            running = demo.start(os.environ, host=host, base_port=port, web_port=web_port)
        except OSError as error:
            raise CommandError(
                f"Không mở được cổng / cannot listen on port {port}–{port + 3}: {error}"
            ) from error
        try:
            for name, server in running.servers.items():
                self.stdout.write(f"{demo.NAMES[name]}: {server.url}")
            for key, value in sorted(running.env.items()):
                self.stdout.write(f"{key}={value}")
            self.stdout.write("ready", ending="\n")
            self.stdout.flush()
            stopped.wait()
        finally:
            demo.stop(running)
        self.stdout.write("stopped")

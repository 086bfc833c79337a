from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.api.urls import api


def schema_text() -> str:
    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "In hoặc ghi lược đồ OpenAPI / Print or write the OpenAPI schema (docs/openapi.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", type=Path, help="Ghi vào tệp / write to this file")

    def handle(self, *args: Any, write: Path | None, **options: Any) -> None:
        text = schema_text()
        if write is None:
            self.stdout.write(text, ending="")
            return
        write.write_text(text, encoding="utf-8")
        self.stdout.write(f"{write}")

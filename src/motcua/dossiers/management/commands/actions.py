from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.dossiers.action_docs import registry_markdown


class Command(BaseCommand):
    help = (
        "Các thao tác trên hồ sơ theo sổ đăng ký / The dossier actions as the registry declares "
        "them (Markdown; --write FILE refreshes docs/actions.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", help="ghi ra tệp / write to this file")

    def handle(self, *args: Any, write: str | None, **options: Any) -> None:
        text = registry_markdown()
        if write:
            Path(write).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)

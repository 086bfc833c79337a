from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.bundles.docs import definitions_markdown
from motcua.bundles.errors import DefinitionError


class Command(BaseCommand):
    help = (
        "Các nhóm thủ tục liên thông theo data/bundles.yaml / The linked bundles as defined "
        "(Markdown; --write FILE refreshes docs/bundles.md; a broken file lists its problems)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", help="ghi ra tệp / write to this file")

    def handle(self, *args: Any, write: str | None, **options: Any) -> None:
        try:
            text = definitions_markdown()
        except DefinitionError as error:
            raise CommandError("\n".join(error.problems)) from error
        if write:
            Path(write).write_text(text, encoding="utf-8")
            self.stdout.write(write)
        else:
            self.stdout.write(text, ending="")

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.dossiers.replay import events_replay


class Command(BaseCommand):
    help = "Nạp lại sự kiện hồ sơ từ JSON lines / Replay dossier events from a JSON-lines file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--trust-actors", action="store_true",
            help="Không kiểm tra quyền của người thực hiện (di chuyển dữ liệu cũ) / skip capability checks",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, file: Path, trust_actors: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"Không thấy tệp {file} / file not found", returncode=2)
        with file.open(encoding="utf-8") as handle:
            lines = handle.readlines()
        results = events_replay(lines, trust_actors=trust_actors)
        show = not options["no_progress"] and options["verbosity"] > 0
        applied = rejected = 0
        for number, ref, reason in tqdm(
            results, total=len(lines), unit="sk", file=sys.stderr, disable=not show
        ):
            if reason is None:
                applied += 1
            else:
                rejected += 1
                self.stdout.write(f"{number}: {ref or '-'}: {reason}")
        self.stderr.write(f"Áp dụng / applied {applied}, từ chối / rejected {rejected}")
        if rejected:
            raise CommandError(f"{rejected} dòng bị từ chối / line(s) rejected", returncode=1)

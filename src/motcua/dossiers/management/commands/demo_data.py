from __future__ import annotations

import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.common.clock import now, today
from motcua.dossiers.demo.extras import EXTRAS
from motcua.dossiers.demo.histories import histories
from motcua.dossiers.demo.plan import plan_make
from motcua.dossiers.demo.run import DemoRun, Outcome, demo_import
from motcua.dossiers.models import Dossier
from motcua.worktime.engine import VIETNAM_OFFSET


def day_parse(text: str, option: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CommandError(
        f"{option}: ngày không hợp lệ “{text}” (dd/mm/yyyy) / not a date", returncode=2
    )


class Command(BaseCommand):
    help = (
        "Sinh lịch sử hồ sơ mẫu qua đúng các quy tắc (126 phường, xã; 50 thủ tục) / Generate "
        "realistic dossier histories through the real rules, imported in batches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, required=True, help="số hồ sơ / how many")
        parser.add_argument("--seed", type=int, default=1, help="hạt giống / random seed (1)")
        parser.add_argument("--from", dest="first", help="từ ngày / first day (dd/mm/yyyy)")
        parser.add_argument("--to", dest="last", help="đến ngày / last day (dd/mm/yyyy; hôm nay)")
        parser.add_argument(
            "--output", type=Path,
            help="ghi ra tệp JSON lines thay vì nạp / write the lines to a file instead",
        )  # fmt: skip
        parser.add_argument(
            "--wards", type=int,
            help="chỉ N phường, xã đầu tiên (thử nghiệm) / only the first N wards (trials)",
        )  # fmt: skip
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--workers", type=int, default=1,
            help="số tiến trình (PostgreSQL; mỗi tiến trình một nhóm phường) / processes "
            "(PostgreSQL; each takes some wards)",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true")
        for extra in EXTRAS.values():  # what the apps above the kernel add (bundles)
            extra.arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed = options["dossiers"], options["seed"]
        if count < 1:
            raise CommandError("--dossiers phải ≥ 1 / must be at least 1", returncode=2)
        last = day_parse(options["last"], "--to") if options["last"] else today()
        first = (
            day_parse(options["first"], "--from")
            if options["first"]
            else last - datetime.timedelta(days=364)
        )
        if first > last:
            raise CommandError(
                "--from phải trước --to / --from must not be after --to", returncode=2
            )
        end_of_day = datetime.datetime.combine(last, datetime.time(23, 59, 59), VIETNAM_OFFSET)
        until = min(end_of_day, now())
        plan = plan_make(seed=seed, wards=options["wards"])
        start = Dossier.objects.filter(ref__startswith=f"DL{seed}-").count()
        run = DemoRun(
            plan, count=count, seed=seed, first=first, last=last, until=until,
            start_number=start, batch_size=options["batch_size"],
        )  # fmt: skip
        show = not options["no_progress"] and options["verbosity"] > 0
        began = time.perf_counter()
        with tqdm(total=count, unit="hồ sơ", file=sys.stderr, disable=not show) as bar:
            if options["output"]:
                lines = histories(
                    plan, count=count, seed=seed, first=first, last=last, until=until,
                    start_number=start, progress=bar.update,
                )  # fmt: skip
                outcome = Outcome(lines=self.write(options["output"], lines))
            else:
                outcome = demo_import(run, workers=options["workers"], progress=bar.update)
        seconds = time.perf_counter() - began
        if not options["output"]:
            for extra in EXTRAS.values():
                extra.generate(run, options, self.stderr.write, show)
        rate = outcome.lines / seconds if seconds else 0.0
        self.stderr.write(
            f"{count} hồ sơ / dossiers, {outcome.lines} dòng / lines, {outcome.events} sự kiện / "
            f"events ({len(plan.wards)} phường, xã / wards; {len(plan.procedures)} thủ tục / "
            f"procedures) in {seconds:.1f} s: {count / seconds if seconds else 0:,.0f} hồ sơ/giây "
            f"/ dossiers/s, {rate:,.0f} dòng/giây / lines/s"
        )
        if outcome.refused:
            for reason, times in outcome.refused.most_common(5):
                self.stdout.write(f"{times} × {reason}")
            total = sum(outcome.refused.values())
            raise CommandError(f"{total} dòng bị từ chối / line(s) refused", returncode=1)

    def write(self, path: Path, lines: Any) -> int:
        written = 0
        with path.open("w", encoding="utf-8") as out:
            for line in lines:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                written += 1
        return written

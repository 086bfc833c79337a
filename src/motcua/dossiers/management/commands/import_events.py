from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.common.parallel import ProcessDied, processes_usable
from motcua.dossiers.bulk.importer import BulkReport, events_import_fast
from motcua.dossiers.bulk.routed import events_import_routed
from motcua.dossiers.lines import KINDS
from motcua.dossiers.replay import events_replay

EXIT_STATUS = (
    "Mã thoát / exit status: 0 mọi dòng được nhận / every line accepted; "
    "1 có dòng bị từ chối (các dòng khác vẫn được nạp) / some lines rejected (the others applied); "
    "2 không dùng được đầu vào (không có tệp, tham số sai, không dòng nào là đối tượng JSON) / "
    "unusable input (no file, bad option, no line is a JSON object); "
    "3 dừng trước khi hết tệp (bị ngắt, một tiến trình chết): các lô đã ghi được giữ, chạy lại "
    "cùng tệp / stopped before the end of the file (interrupted, a process died): the batches "
    "written stay, run the same file again."
)
BOM = b"\xef\xbb\xbf"  # Windows tools begin UTF-8 files with it


def lines_of(file: Path) -> Iterator[bytes]:
    """The file's lines as bytes: a line that is not UTF-8 is refused by itself, not the run."""
    with file.open("rb") as handle:
        first = handle.readline()
        yield first.removeprefix(BOM)
        yield from handle


def cores_usable() -> int:
    """The cores this process may run on (its affinity, a container's cpuset), not the
    machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def stop_reason(error: BaseException) -> str:
    return "Ctrl-C" if isinstance(error, KeyboardInterrupt) else str(error)


def file_check(file: Path) -> None:
    if not file.is_file():
        raise CommandError(f"Không thấy tệp {file} / file not found", returncode=2)
    try:
        with file.open("rb"):
            pass
    except OSError as error:
        raise CommandError(
            f"Không đọc được tệp {file} / cannot read the file ({error.strerror})", returncode=2
        ) from error


def count_lines(file: Path) -> int:
    with file.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


class Command(BaseCommand):
    help = (
        "Nạp lại sự kiện hồ sơ từ JSON lines / Replay dossier events from a JSON-lines file. "
        "Mỗi dòng hỏng bị từ chối kèm số dòng và lý do, lần chạy vẫn tiếp tục, cuối cùng in tổng "
        "kết / every bad line is rejected with its number and reason, the run goes on, a summary "
        "ends it. " + EXIT_STATUS
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--trust-actors", action="store_true",
            help="Không kiểm tra quyền của người thực hiện (di chuyển dữ liệu cũ) / skip capability checks",
        )  # fmt: skip
        parser.add_argument(
            "--fast", action="store_true",
            help="Cùng quy tắc, ghi theo lô (COPY trên PostgreSQL) / same rules, rows written in batches",
        )  # fmt: skip
        parser.add_argument(
            "--batch-size", type=int, default=5000,
            help="--fast: số dòng mỗi lô / lines per batch (5000)",
        )  # fmt: skip
        parser.add_argument(
            "--workers", type=int, default=None,
            help="--fast trên PostgreSQL: số tiến trình (tối đa số lõi), chia theo đơn vị tiếp "
            "nhận / processes (at most one per core), split by receiving unit (1)",
        )  # fmt: skip
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self, *args: Any, file: Path, trust_actors: bool, fast: bool, batch_size: int,
        workers: int | None, **options: Any,
    ) -> None:  # fmt: skip
        file_check(file)
        if batch_size < 1:
            raise CommandError("--batch-size phải ≥ 1 / must be at least 1", returncode=2)
        workers = self.workers_usable(workers, fast=fast)
        show = not options["no_progress"] and options["verbosity"] > 0
        report = BulkReport()
        try:
            with tqdm(
                total=count_lines(file) if show else None, unit="dòng", file=sys.stderr,
                disable=not show, smoothing=0.1,
            ) as bar:  # fmt: skip
                if fast and processes_usable(workers) > 1:
                    refused = events_import_routed(
                        lambda: lines_of(file), workers=workers, trust_actors=trust_actors,
                        batch_size=batch_size, report=report, progress=bar.update,
                    )  # fmt: skip
                    applied, kinds = report.applied, self.refusals_show(refused)
                else:
                    applied, kinds = self.lines_run(
                        file, fast=fast, trust_actors=trust_actors, batch_size=batch_size,
                        report=report, progress=bar.update,
                    )  # fmt: skip
        except (KeyboardInterrupt, ProcessDied) as error:
            raise CommandError(
                f"Dừng trước khi hết tệp / stopped before the end of the file ({stop_reason(error)})"
                ". Các lô đã ghi được giữ; chạy lại cùng tệp: các dòng đã nạp bị từ chối là trùng "
                "hoặc sai thứ tự, các dòng còn lại được nạp / the batches written stay; run the "
                "same file again: lines already imported are refused as duplicates or out of "
                "order, the others applied.",
                returncode=3,
            ) from None
        self.summary(applied, kinds)
        if fast:
            rate = report.lines / report.seconds if report.seconds else 0.0
            self.stderr.write(
                f"{report.events} sự kiện ghi theo lô / events written in batches; "
                f"{report.batches} lô / batches ({report.replayed} nạp lại từng dòng / replayed "
                f"line by line); {report.seconds:.1f} s, {rate:,.0f} dòng/giây / lines/s"
            )
        rejected = sum(kinds.values())
        if not applied and rejected and rejected == kinds["format"]:
            raise CommandError(
                "Không dòng nào là đối tượng JSON / no line is a JSON object", returncode=2
            )
        if rejected:
            raise CommandError(f"{rejected} dòng bị từ chối / line(s) rejected", returncode=1)

    def workers_usable(self, workers: int | None, *, fast: bool) -> int:
        if workers is None:
            return 1
        if workers < 1:
            raise CommandError("--workers phải ≥ 1 / must be at least 1", returncode=2)
        if not fast:
            raise CommandError("--workers cần --fast / needs --fast", returncode=2)
        cores = cores_usable()
        if workers > cores:
            self.stderr.write(
                f"--workers {workers}: máy có {cores} lõi, dùng {cores} tiến trình / "
                f"{cores} cores here, {cores} processes"
            )
        return min(workers, cores)

    def lines_run(
        self, file: Path, *, fast: bool, trust_actors: bool, batch_size: int,
        report: BulkReport, progress: Callable[[int], object],
    ) -> tuple[int, Counter[str]]:  # fmt: skip
        """One process, the results as they come: (lines applied, refusals by kind)."""
        if fast:
            results = events_import_fast(
                lines_of(file), trust_actors=trust_actors, batch_size=batch_size, report=report
            )
        else:
            results = events_replay(lines_of(file), trust_actors=trust_actors)
        applied = 0
        kinds: Counter[str] = Counter()
        for number, ref, reason in results:
            progress(1)
            if reason is None:
                applied += 1
            else:
                kinds.update(self.refusals_show([(number, ref, reason)]))
        return applied, kinds

    def refusals_show(self, refused: Iterable[tuple[int, str, Any]]) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for number, ref, reason in refused:
            kinds[getattr(reason, "kind", "rule")] += 1
            text = f"{number}: {ref or '-'}: {reason}"
            # A line may carry text no terminal can print (a lone surrogate): escaped, not fatal.
            self.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
        return kinds

    def summary(self, applied: int, kinds: Counter[str]) -> None:
        rejected = sum(kinds.values())
        self.stderr.write(
            f"Tổng kết / summary: {applied + rejected} dòng / lines; áp dụng / applied {applied}, "
            f"từ chối / rejected {rejected}"
        )
        for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], item[0])):
            self.stderr.write(f"  {kind}: {count} ({KINDS.get(kind, kind)})")

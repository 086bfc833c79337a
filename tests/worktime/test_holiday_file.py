"""The statutory holidays are computed by the holidays package once and then read from a file:
the same days, recomputed when the file is unreadable, and the package left unimported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from motcua.worktime import sources


def test_the_file_gives_the_packages_days(tmp_path: Path, settings: Any) -> None:
    settings.MOTCUA_CALENDAR_CACHE_DIR = str(tmp_path)
    computed = sources.package_days(2025, 2027)
    assert sources.holiday_days(2025, 2027) == computed  # computed, and written
    path = sources.package_days_file(2025, 2027)
    assert path is not None
    assert path.exists()
    assert sources.holiday_days(2025, 2027) == computed  # read back
    assert not list(tmp_path.glob(".tmp-*"))


def test_an_unreadable_file_is_computed_again(tmp_path: Path, settings: Any) -> None:
    settings.MOTCUA_CALENDAR_CACHE_DIR = str(tmp_path)
    path = sources.package_days_file(2026, 2026)
    assert path is not None
    path.write_text('[["2026-13-40", "hỏng"]', encoding="utf-8")
    assert sources.holiday_days(2026, 2026) == sources.package_days(2026, 2026)
    assert sources.holiday_days(2026, 2026) == sources.package_days(2026, 2026)  # rewritten


def test_without_a_folder_the_days_are_computed(settings: Any) -> None:
    settings.MOTCUA_CALENDAR_CACHE_DIR = ""
    assert sources.package_days_file(2026, 2026) is None
    assert sources.holiday_days(2026, 2026) == sources.package_days(2026, 2026)


def test_a_process_reading_the_file_does_not_import_the_package(tmp_path: Path) -> None:
    script = (
        "import sys, django; django.setup()\n"
        "from motcua.worktime.sources import holiday_days\n"
        "days = holiday_days(2026, 2026)\n"
        "print(len(days), 'holidays' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ, "MOTCUA_CALENDAR_CACHE_DIR": str(tmp_path),
        "PYTHONPATH": str(root / "src"), "DJANGO_SETTINGS_MODULE": "motcua.settings",
    }  # fmt: skip

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
            cwd=root,
        )  # fmt: skip
        return done.stdout.split()

    first, second = run(), run()
    assert first[0] == second[0] != "0"
    assert (first[1], second[1]) == ("True", "False")  # computed once, then only read

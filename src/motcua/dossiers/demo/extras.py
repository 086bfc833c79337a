"""What apps above the kernel add to ``motcua demo-data``, registered from their ``ready`` (the
kernel never imports them; tests/test_architecture.py): a module of theirs with options of its
own and a generation that runs after the single dossiers, given the run (plan, dates, seed).
The module is imported by the command only: a web worker never loads it (nor its libraries)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.core.management.base import CommandParser

    from .run import DemoRun


@dataclass(frozen=True)
class DemoExtra:
    """``module`` has ``arguments(parser)`` and ``generate(run, options, report, show)``."""

    module: str

    def arguments(self, parser: CommandParser) -> None:
        import_module(self.module).arguments(parser)

    def generate(
        self, run: DemoRun, options: dict[str, Any], report: Callable[[str], object], show: bool
    ) -> None:
        import_module(self.module).generate(run, options, report, show)


EXTRAS: dict[str, DemoExtra] = {}


def demo_extra_register(extra: DemoExtra) -> None:
    EXTRAS[extra.module] = extra

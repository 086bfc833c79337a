"""What apps above the kernel add to ``motcua demo-data``, registered from their ``ready`` (the
kernel never imports them; tests/test_architecture.py): options of their own, and a generation
that runs after the single dossiers, given the run (its plan, dates and seed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.core.management.base import CommandParser

    from .run import DemoRun


@dataclass(frozen=True)
class DemoExtra:
    name: str
    arguments: Callable[[CommandParser], None]
    # (run, the command's options, a line to the command's report, whether to show progress)
    generate: Callable[[DemoRun, dict[str, Any], Callable[[str], object], bool], None]


EXTRAS: dict[str, DemoExtra] = {}


def demo_extra_register(extra: DemoExtra) -> None:
    EXTRAS[extra.name] = extra

from __future__ import annotations

from django_tasks import task

from motcua.common.clock import now

from .scan import deadlines_scan
from .tracking_book import tracking_book_build


@task()
def deadlines_scan_task() -> dict[str, int]:
    """Enqueued by `motcua scheduler` every few minutes; run by the worker."""
    report = deadlines_scan(at=now())
    return {"checked": report.checked, **(report.raised or {})}


@task()
def tracking_book_task(unit_id: int, year: int, fmt: str) -> str:
    """A large unit's tracking book (xlsx or pdf) written to media storage; enqueued when an
    officer asks for it (``tracking_book.book_request``), run by the worker."""
    return tracking_book_build(unit_id, year, fmt)

"""After a change of the catalog the worker builds the new search index, so that no citizen's
search waits seconds for it (``catalog.search_tasks``; decision 0023, session 43)."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.catalog import search, search_store
from motcua.catalog.models import Procedure
from motcua.catalog.revision import catalog_changed, catalog_token
from motcua.catalog.search_tasks import search_index_prepare_enqueue, search_index_prepare_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def built_after_change(settings: Any) -> None:
    settings.MOTCUA_SEARCH_INDEX_AFTER_CHANGE = True  # as in production (off for other tests)


class RolledBack(Exception):
    pass


def queued() -> int:
    return DBTaskResult.objects.filter(task_path=search_index_prepare_task.module_path).count()


def test_a_change_of_many_rows_queues_one_build(django_capture_on_commit_callbacks: Any) -> None:
    before = queued()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for procedure in Procedure.objects.order_by("pk")[:3]:
            procedure.name = f"{procedure.name} (sửa)"
            procedure.save()  # each save writes a new token (``catalog.revision``)
    assert callbacks.count(search_index_prepare_enqueue) == 1
    assert queued() == before + 1


def test_a_change_rolled_back_queues_nothing(django_capture_on_commit_callbacks: Any) -> None:
    before = queued()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RolledBack),
        transaction.atomic(),
    ):
        catalog_changed()
        raise RolledBack
    assert search_index_prepare_enqueue not in callbacks
    assert queued() == before


def test_the_workers_build_is_what_a_web_process_loads(
    monkeypatch: pytest.MonkeyPatch, search_index_folder: Path
) -> None:
    catalog_changed()  # a catalog state that has no file yet
    path = search_store.file_for(search_index_folder, catalog_token())
    assert not path.exists()
    assert search_index_prepare_task.call() is True  # what the worker runs
    assert path.exists()
    assert search_index_prepare_task.call() is False  # built once

    def no_build() -> None:
        raise AssertionError("a web process built the index the worker had built")

    monkeypatch.setattr(search, "index_build", no_build)
    search.INDEX.clear()
    try:
        assert search.INDEX.get().docs  # loaded from the worker's file
    finally:
        search.INDEX.clear()


def test_a_machine_builds_one_index_at_a_time(tmp_path: Path, settings: Any) -> None:
    """The worker's build after a change and a web process's search that needs the same index
    make one build: the second waits and reads the file (two at once on two cores took twice as
    long each; a helper measured searches of 3-4 s)."""
    ready = search.INDEX.get()  # built or read once, here, before the folder changes
    settings.MOTCUA_SEARCH_INDEX_DIR = str(tmp_path)
    builds: list[int] = []

    def slow_build() -> Any:
        builds.append(threading.get_ident())
        time.sleep(0.5)
        return ready

    found: list[Any] = []
    callers = [
        lambda: found.append(search_store.index_for("state-1", build=slow_build)),
        lambda: found.append(search_store.index_prepare("state-1", build=slow_build)),
        lambda: found.append(search_store.index_for("state-1", build=slow_build)),
    ]
    threads = [threading.Thread(target=caller) for caller in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(builds) == 1
    assert len(found) == 3
    assert sum(1 for item in found if item is True) <= 1  # index_prepare built it, or found it
    assert all(item.docs for item in found if item not in (True, False))

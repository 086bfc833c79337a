"""After a change of the catalog the worker builds the new search index, so that no citizen's
search waits seconds for it (``catalog.search_tasks``; decision 0023, session 43)."""

from __future__ import annotations

import contextlib
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

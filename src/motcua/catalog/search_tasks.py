"""The search index of a new catalog state, built by the worker as soon as the change commits
(decision 0023, "Later: built after a change, by the worker", session 43).

A web process that meets a new catalog token loads the index kept on disk under it
(``search_store``), or builds it, which takes seconds of CPU: after an administrator's edit, the
first search of each machine waited 2.0–2.5 s. Now the change's commit queues one task (one per
transaction, however many rows it changed); the worker builds the index and writes its file, so
the web processes of the machine load it instead. Nothing depends on the task: a web process
that asks before the file exists (or on a machine whose folder the worker does not share)
builds it as before, and the index is never kept in the worker's memory."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, router, transaction
from django_tasks import task

from . import models, search_store
from .revision import catalog_token


@task()
def search_index_prepare_task() -> bool:
    """True if this run built the file (False: there was one already, or no folder)."""
    from .search_index import index_build  # bm25s: only where an index is built

    return search_store.index_prepare(catalog_token(), build=index_build)


def search_index_prepare_after_commit() -> None:
    """Queue the task when the current transaction commits, once for all its changes; a change
    rolled back queues nothing (Django drops its callbacks)."""
    if search_store.folder() is None or not settings.MOTCUA_SEARCH_INDEX_AFTER_CHANGE:
        return
    connection = connections[router.db_for_write(models.CatalogRevision)]
    # Entries are (savepoints, callback, robust): the callback is the second.
    if any(entry[1] is search_index_prepare_enqueue for entry in connection.run_on_commit):
        return
    # Robust: a queue that cannot take the task never fails the change, which has committed.
    transaction.on_commit(search_index_prepare_enqueue, using=connection.alias, robust=True)


def search_index_prepare_enqueue() -> None:
    search_index_prepare_task.enqueue()

"""Which state of the catalog a process's caches hold, for every process on every machine.

The catalog changes rarely (an administrator's edit, an import) and is read on almost every
public request. Each process keeps what it derives from the catalog (the search index, ready
API responses) and checks, once per request, one row: ``CatalogRevision.token``. The public
answers of the API check it at most once a second (``public``, decision 0045). Every change
writes a new random token in the same transaction as the change (``catalog_changed``), so a
process on any machine sees the change as soon as it commits, and a rolled-back change brings
back the old token with the old data (a counter could be reused by the next change after a
rollback and pass stale data off as new).

What changes the catalog: saves of its models and of units (signal receivers below, which also
cover the admin site; the authority app connects the same receivers for delegations, the phân
cấp that move a procedure's deciding unit, read at every reception), many-to-many changes, and the bulk paths that send no signals (import,
seeds, default processes: they call ``catalog_changed`` themselves). Deletions go through the
admin (whose change and delete views save or call ``catalog_changed``) or the importer; no
delete receiver is connected, because one would make Django load every deleted child row
before deleting it. Every change writes a token, even within one transaction (an update of one
row, at most a few thousand in a whole import): a savepoint rolled back then brings back the
token that matches the data left, and nothing else has to be tracked.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, Generic, ParamSpec, TypeVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from motcua.common.clock import now
from motcua.common.memo import memoized
from motcua.organizations.models import Unit

from . import models

T = TypeVar("T")
P = ParamSpec("P")
WATCHED = (
    models.Field, models.Procedure, models.ProcedureCase, models.Channel, models.Fee,
    models.RequirementGroup, models.Requirement, models.ProcessDefinition, models.ProcessStep,
    models.Synonym, Unit,
)  # fmt: skip
TABLE = models.CatalogRevision._meta.db_table


class RequestMemo(threading.local):
    """The token read in this thread's current request (None: not read yet, or no request)."""

    in_request = False
    token: str | None = None


MEMO = RequestMemo()


@receiver(request_started)
def request_begins(**kwargs: Any) -> None:
    MEMO.in_request, MEMO.token = True, None


@receiver(request_finished)
def request_ends(**kwargs: Any) -> None:
    MEMO.in_request, MEMO.token = False, None


def catalog_token() -> str:
    """The current token: one indexed read, at most once per request. Read from the database
    the catalog's rows are read from (a replica for the public pages, ``common.replicas``), so
    that what is cached under a token is never older than the token."""
    if MEMO.in_request and MEMO.token is not None:
        return MEMO.token
    reading = connections[router.db_for_read(models.CatalogRevision)]
    # Plain SQL: the ORM would compile this statement anew on every request. No input in it.
    sql = f"SELECT token FROM {reading.ops.quote_name(TABLE)} WHERE id = 1"  # noqa: S608
    with reading.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    token = row[0] if row else ""
    if MEMO.in_request:
        MEMO.token = token
    return token


class LocalChanges:
    """How many catalog changes this process has made (or committed): a token read before the
    last of them is not trusted by a ``public`` cache, so its own changes are served at once."""

    count = 0

    @classmethod
    def add(cls) -> None:
        cls.count += 1


def catalog_changed() -> None:
    """Record a change of the catalog: a new token, in the caller's transaction."""
    MEMO.token = None
    LocalChanges.add()
    # Again once it commits: another thread of this process may have read the old token between
    # the change and its commit.
    transaction.on_commit(LocalChanges.add)
    written = models.CatalogRevision.objects.filter(pk=1).update(
        number=F("number") + 1, token=secrets.token_hex(16), changed_at=now()
    )
    if not written:  # a database emptied by a flush: the row comes back
        models.CatalogRevision.objects.update_or_create(
            pk=1, defaults={"token": secrets.token_hex(16), "changed_at": now()}
        )
    from .search_tasks import search_index_prepare_after_commit  # imports the task framework

    search_index_prepare_after_commit()


def saved(sender: type, **kwargs: Any) -> None:
    catalog_changed()


def linked(sender: type, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        catalog_changed()


def receivers_connect() -> None:
    """Called once, from the app's ``ready``."""
    for model in WATCHED:
        post_save.connect(saved, sender=model, dispatch_uid=f"catalog-changed-{model.__name__}")
    for through in (
        models.Procedure.receiving_units.through,
        models.Procedure.other_fields.through,
    ):
        m2m_changed.connect(
            linked, sender=through, dispatch_uid=f"catalog-linked-{through.__name__}"
        )


def fresh_seconds() -> float:
    return float(getattr(settings, "MOTCUA_CATALOG_FRESH_SECONDS", 0))


class RevisionCache(Generic[T]):
    """Values derived from the catalog, kept in this process while the token stays the same;
    at most ``size`` of them, the least recently used dropped first.

    A ``public`` cache trusts the token read less than ``MOTCUA_CATALOG_FRESH_SECONDS`` ago
    without reading it again, unless this process changed the catalog since or the caller is
    inside a transaction (which may hold a change of its own): for public answers only
    (decision 0045), never for what a write reads."""

    def __init__(self, size: int, *, public: bool = False) -> None:
        self.size = size
        self.public = public
        self.lock = threading.Lock()
        self.token: str | None = None
        self.values: OrderedDict[Hashable, T] = OrderedDict()
        self.read: tuple[float, int] | None = None  # when the token was last read, changes then

    def current_token(self) -> tuple[str, tuple[float, int] | None]:
        """The token, and when it was read from the database (None: trusted, or read inside a
        transaction, whose reading must not be trusted later)."""
        seconds = fresh_seconds() if self.public else 0.0
        if seconds <= 0 or in_transaction():
            return catalog_token(), None
        with self.lock:
            token, read = self.token, self.read
        if token is not None and read is not None:
            at, changes = read
            if changes == LocalChanges.count and time.monotonic() - at < seconds:
                return token, None
        read = (time.monotonic(), LocalChanges.count)  # taken before the read: never too late
        return catalog_token(), read

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        token, read = self.current_token()
        with self.lock:
            if token != self.token:
                self.values.clear()
                self.token = token
            if read is not None:
                self.read = read
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        # Computed after the token was read: the data is at least as new as the token says.
        value = compute()
        with self.lock:
            if token == self.token:
                self.values[key] = value
                while len(self.values) > self.size:
                    self.values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.token, self.read = None, None
            self.values.clear()


def in_transaction() -> bool:
    return connections[router.db_for_read(models.CatalogRevision)].in_atomic_block


def catalog_cached(size: int) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A read of catalog rows (``WATCHED``) kept across requests in this process while the
    catalog's token stays the same (``RevisionCache``); within a bulk run's ``reference_memo``
    each distinct question is also answered from the run's memory, without reading the token
    again. Positional arguments only (primary keys, codes): they are the cache's key. What it
    returns is shared by every later caller: it must not be changed."""

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        cache: RevisionCache[T] = RevisionCache(size)

        @memoized
        @wraps(function)
        def cached(*args: P.args, **kwargs: P.kwargs) -> T:
            assert not kwargs, "catalog_cached: positional arguments only"
            return cache.get((function.__qualname__, *args), lambda: function(*args, **kwargs))

        return cached

    return decorate

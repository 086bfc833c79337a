"""Reads from PostgreSQL streaming replicas (docs/decisions/0018-read-replicas.md).

Opt-in: only the views named in ``REPLICA_VIEWS`` (worklists, reports, public pages), for the
methods listed there, and code inside ``replica_reads()`` may read from a replica. Everything
else — every write, the dossier pages an officer or citizen acts on, workers, commands — reads
the primary, exactly as without replicas. Inside a routed view a read still goes to the primary
when

- the request has written (a write or a row lock went through the router): it reads what it did;
- a transaction is open on the primary (``transaction.atomic``, ``select_for_update``);
- the model holds sign-in, session, role or queue state (``PRIMARY_ONLY_APPS``), or counts
  attempts against a limit (``PRIMARY_ONLY_MODELS``): a sign-out, a revoked token or role takes
  effect at once, and a limit counts every attempt, whatever the replica's lag;
- the client wrote recently and no replica has replayed that write yet: a response to a request
  that wrote carries the primary's WAL position in the ``motcua_rw`` cookie, and later requests
  read from a replica only once it has replayed up to there (read-your-writes, no time guess);
- no replica is reachable and less than ``MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS`` behind.

Without ``MOTCUA_DATABASE_REPLICA_URLS`` neither the router nor the middleware is installed.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

READ = frozenset({"GET", "HEAD"})
# view name → the methods whose reads may come from a replica. A name that no longer resolves
# fails tests/common/test_replicas.py.
REPLICA_VIEWS: dict[str, frozenset[str]] = {
    # Worklists.
    "dossiers:worklist": READ,
    "api-v1:dossier_list": READ,
    # Reports.
    "ratings:overview": READ,
    "catalog:stats": READ,
    "api-v1:stats": READ,
    # Public pages: home, catalog, working calendar, the public lookup (a form posted to search).
    "web:home": READ,
    "catalog:search": READ,
    "catalog:fields": READ,
    "catalog:detail": READ,
    "api-v1:procedures": READ,
    "api-v1:procedure": READ,
    "worktime:this-year": READ,
    "worktime:year": READ,
    "portal:lookup": READ | {"POST"},
}
# Apps whose rows decide who may do what, or hand work out: always read fresh.
PRIMARY_ONLY_APPS = frozenset(
    {
        "sessions", "auth", "accounts", "signin", "axes", "otp_totp", "otp_static",
        "django_otp", "django_tasks_database",
    }
)  # fmt: skip
# Models of other apps read fresh: the throttles' counts are written by raw SQL on the primary,
# so a routed view (the public lookup) read from a lagging replica would not see its own hits.
PRIMARY_ONLY_MODELS = frozenset({"common.ratecount"})
COOKIE = "motcua_rw"
# How long a replica's health (reachable, lag) is trusted before it is asked again, per process.
HEALTH_SECONDS = 5.0
HEALTH_LONGEST_SECONDS = 60.0  # the longest a failed replica waits before it is asked again
LSN = re.compile(r"^([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})$")
# A cookie we cannot read pins its client to the primary until it expires.
UNREADABLE = 1 << 64


@dataclass
class ReadState:
    """What one request (or one ``replica_reads`` block) may read from a replica."""

    routed: bool = False  # a view or block allowed to read from a replica
    wrote: bool = False  # a write or row lock went to the primary
    after: int | None = None  # WAL position the client must see (its cookie)
    alias: str | None = None  # the database chosen for this request's replica reads


STATE: ContextVar[ReadState | None] = ContextVar("motcua_read_state", default=None)


def replica_served() -> bool:
    """This request's routed reads came from a replica (and may be as old as its lag)."""
    state = STATE.get()
    return state is not None and state.alias not in (None, DEFAULT_DB_ALIAS)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "MOTCUA_DATABASE_REPLICAS", []))


def lsn_position(text: str | None) -> int | None:
    """``16/B374D848`` → a byte position; None for no position, ``UNREADABLE`` for garbage."""
    if not text:
        return None
    match = LSN.match(text.strip())
    if match is None:
        return UNREADABLE
    return (int(match.group(1), 16) << 32) | int(match.group(2), 16)


def may_read_replica(state: ReadState | None, label: str, primary_in_transaction: bool) -> bool:
    """The rule, without the replica's health: see the module's docstring. ``label`` is a
    model's ``app_label.model_name`` (or an app label)."""
    return bool(
        state is not None
        and state.routed
        and not state.wrote
        and not primary_in_transaction
        and label.partition(".")[0] not in PRIMARY_ONLY_APPS
        and label not in PRIMARY_ONLY_MODELS
    )


def lag_acceptable(alias: str, lag: float) -> bool:
    limit = float(getattr(settings, "MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS", 30))
    if limit and lag > limit:
        logger.warning("replica %s is %.1f s behind, reading the primary", alias, lag)
        return False
    return True


class Health:
    """Per process: which replicas answer and are not too far behind, asked every few seconds;
    one that failed is asked again after 5, 10, 20, 40, then every 60 s. Asking a replica that
    does not answer costs the request that asks up to the 2 s connection timeout: asked every
    5 s, a hung replica added 2 s to most routed requests (a helper's operator pass)."""

    def __init__(self) -> None:
        self.checked: dict[str, tuple[float, bool, int]] = {}

    def usable(self, alias: str) -> bool:
        checked_at, ok, failures = self.checked.get(alias, (-HEALTH_SECONDS, False, 0))
        if time.monotonic() - checked_at < health_interval(ok, failures):
            return ok
        ok = self.ask(alias)
        self.checked[alias] = (time.monotonic(), ok, 0 if ok else failures + 1)
        return ok

    def ask(self, alias: str) -> bool:
        # Lag is "now − the last replayed commit" only while WAL is waiting to be replayed: an
        # idle primary sends nothing, and a replica that has replayed all it got is not behind.
        sql = (
            "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM "
            "pg_last_wal_replay_lsn() THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM "
            "now() - pg_last_xact_replay_timestamp()), 0) END"
        )
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(sql)
                row = cursor.fetchone()
        except DatabaseError as error:
            logger.warning("replica %s unusable, reading the primary: %s", alias, error)
            connections[alias].close()
            return False
        return lag_acceptable(alias, float(row[0]) if row and row[0] is not None else 0.0)

    def failed(self, alias: str) -> None:
        """A query on ``alias`` failed: not used until its next check (see above)."""
        _checked_at, _ok, failures = self.checked.get(alias, (0.0, False, 0))
        self.checked[alias] = (time.monotonic(), False, failures + 1)


def health_interval(ok: bool, failures: int) -> float:
    if ok or failures <= 1:
        return HEALTH_SECONDS
    return min(HEALTH_SECONDS * 2 ** (failures - 1), HEALTH_LONGEST_SECONDS)


HEALTH = Health()
# Per process: the furthest WAL position each replica was seen to have replayed.
REPLAYED: dict[str, int] = {}


def replayed_position(alias: str, after: int) -> int | None:
    """How far ``alias`` has replayed, asked only when what this process last saw of it is not
    far enough (a replica only moves forward)."""
    seen = REPLAYED.get(alias)
    if seen is not None and seen >= after:
        return seen
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            row = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("replica %s unusable, reading the primary: %s", alias, error)
        connections[alias].close()
        HEALTH.failed(alias)
        return None
    position = lsn_position(row[0]) if row else None
    if position is not None and position != UNREADABLE:
        REPLAYED[alias] = position
    return position


def replica_pick(after: int | None) -> str:
    """A healthy replica that has replayed the client's last write, else the primary."""
    if after == UNREADABLE:
        return DEFAULT_DB_ALIAS
    candidates = [alias for alias in replica_aliases() if HEALTH.usable(alias)]
    random.shuffle(candidates)
    for alias in candidates:
        if after is None:
            return alias
        position = replayed_position(alias, after)
        if position is not None and position != UNREADABLE and position >= after:
            return alias
    return DEFAULT_DB_ALIAS


def primary_position() -> str | None:
    """The primary's WAL insert position: at or past the end of every commit made so far."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            row = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("no WAL position from the primary: %s", error)
        return None
    return str(row[0]) if row else None


class ReplicaRouter:
    """Django's database router: writes, migrations and most reads on ``default``."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        state = STATE.get()
        in_transaction = connections[DEFAULT_DB_ALIAS].in_atomic_block
        if state is None or not may_read_replica(state, model._meta.label_lower, in_transaction):
            return DEFAULT_DB_ALIAS
        if state.alias is None:
            state.alias = replica_pick(state.after)
        return state.alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = STATE.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # every database holds the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


@contextmanager
def replica_reads(after: str | None = None) -> Iterator[ReadState]:
    """Reads in this block may come from a replica (a report in a worker or a command); pass
    the WAL position the reads must include, if any."""
    state = ReadState(routed=True, after=lsn_position(after))
    token = STATE.set(state)
    try:
        yield state
    finally:
        STATE.reset(token)


GetResponse = Callable[[HttpRequest], HttpResponse]


class ReplicaMiddleware:
    """First in ``MIDDLEWARE``: it sees every write of the request, the session's included."""

    def __init__(self, get_response: GetResponse) -> None:
        if not replica_aliases():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = ReadState(after=lsn_position(request.COOKIES.get(COOKIE)))
        token = STATE.set(state)
        try:
            response = self.get_response(request)
        finally:
            STATE.reset(token)
        if state.wrote:
            position = primary_position()
            if position is not None:
                response.set_cookie(
                    COOKIE, position, max_age=settings.MOTCUA_DATABASE_REPLICA_PIN_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
                )  # fmt: skip
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        state, match = STATE.get(), request.resolver_match
        if state is not None and match is not None:
            state.routed = request.method in REPLICA_VIEWS.get(match.view_name, frozenset())

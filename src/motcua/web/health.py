"""Liveness, readiness and status probes (decision 0037).

- /healthz: the process answers (nothing else).
- /readyz, for load balancers: 503 unless *this machine* can serve — the database answers with
  no migration pending, and its var and media folders have room. The installation's shared
  parts (the workers' heartbeats of each queue, the oldest task waiting, the outbox's dead
  letters, open administrators' alerts) are reported under ``cluster`` but never fail it: they
  are the same for every machine, so failing on them would take every web machine out of
  service at once while pages could still be served (found by a helper following the
  production guide: stopping the workers made /readyz 503 on both web machines).
- /statusz, for monitoring and alerting: the same body, 503 when any check fails.

Callers outside the private network (a public address, through a trusted proxy) get only the
verdict, ``{"status": …}``, with the same status code.

Each threshold is a setting (MOTCUA_READY_*); 0 turns its check off.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max

from motcua.common.client import client_address
from motcua.common.models import WorkerHeartbeat
from motcua.common.storage import S3_BACKEND
from motcua.notifications.outbox import alerts_open, dead_letters

Check = dict[str, Any]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answering; says nothing about the database."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """This machine can serve: its database and its disk (see above)."""
    return for_caller(request, probe_body(cluster_fails=False))


@never_cache
@require_GET
def statusz(request: HttpRequest) -> JsonResponse:
    """The whole installation works: this machine and the workers, queue and outbox."""
    return for_caller(request, probe_body(cluster_fails=True))


def for_caller(request: HttpRequest, body: dict[str, Any]) -> JsonResponse:
    """The checks' figures (queue lag, dead letters, alerts, free disk) for callers on the
    private network — load balancers, monitoring — and only the verdict for anyone else: the
    probes answer over plain HTTP on the public name, and the figures show an attacker whether
    a flood is taking effect (an attacker's pass, session 36)."""
    status = 200 if body["status"] == "ok" else 503
    return JsonResponse(
        body if private_caller(request) else {"status": body["status"]}, status=status
    )


def private_caller(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request) or "")
    except ValueError:
        return False
    return not address.is_global  # private, loopback, link-local: the operators' networks


def probe_body(*, cluster_fails: bool) -> dict[str, Any]:
    """The probe's answer; its ``status`` is "ok" or "unavailable" (503)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return {"status": "unavailable", "database": "error", "detail": type(error).__name__}
    if pending:
        return {"status": "unavailable", "database": "ok", "pending_migrations": len(pending)}
    at = timezone.now()
    checks, cluster = machine_checks(), cluster_checks(at)
    judged_checks = {**checks, **cluster} if cluster_fails else checks
    ready = all(check["status"] != "fail" for check in judged_checks.values())
    return {"status": "ok" if ready else "unavailable", "database": connection.vendor,
            "checks": checks, "cluster": cluster}  # fmt: skip


def machine_checks() -> dict[str, Check]:
    checks = {"disk_var": disk_check(Path(settings.VAR_DIR))}
    if settings.STORAGES["default"]["BACKEND"] == S3_BACKEND:
        # The files are in the object store: the local media folder holds none of them.
        checks["disk_media"] = {"value": None, "status": "off", "store": "s3"}
    else:
        checks["disk_media"] = disk_check(Path(settings.MEDIA_ROOT))
    return checks


def cluster_checks(at: datetime.datetime) -> dict[str, Check]:
    checks = {f"worker_{queue}": worker_check(queue, at) for queue in task_queues()}
    checks["queue_lag"] = queue_lag_check(at)
    checks["dead_letters"] = {"value": dead_letters(), "status": "info"}
    checks["admin_alerts"] = {"value": alerts_open(), "status": "info"}
    return checks


def task_queues() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


def judged(value: float | None, threshold: float, *, above_fails: bool) -> Check:
    """A check's value (rounded), its threshold, and ok / fail (off when the threshold is 0)."""
    if not threshold:
        status = "off"
    elif value is None:
        status = "fail" if above_fails else "ok"
    else:
        status = "fail" if (value > threshold) == above_fails else "ok"
    shown = None if value is None else round(value, 1)
    return {"value": shown, "threshold": threshold, "status": status}


def worker_check(queue: str, at: datetime.datetime) -> Check:
    """Seconds since a worker of ``queue`` last beat (none: no worker ever did, or it stopped)."""
    latest = None
    for queues, beat_at in WorkerHeartbeat.objects.values_list("queues", "beat_at"):
        served = set(queues.split(","))
        if (queue in served or "*" in served) and (latest is None or beat_at > latest):
            latest = beat_at
    age = None if latest is None else max((at - latest).total_seconds(), 0.0)
    return judged(age, settings.MOTCUA_READY_WORKER_STALE_SECONDS, above_fails=True)


def queue_lag_check(at: datetime.datetime) -> Check:
    """Seconds the oldest task that could run has been waiting (none waiting: 0)."""
    ready = DBTaskResult.objects.ready()
    never = get_date_max()
    oldest = [
        ready.filter(run_after=never).aggregate(t=Min("enqueued_at"))["t"],
        ready.exclude(run_after=never).aggregate(t=Min("run_after"))["t"],
    ]
    known = [moment for moment in oldest if moment is not None]
    lag = max((at - min(known)).total_seconds(), 0.0) if known else 0.0
    return judged(lag, settings.MOTCUA_READY_QUEUE_LAG_SECONDS, above_fails=True)


def disk_check(folder: Path) -> Check:
    """Free megabytes where ``folder`` is (or would be: its nearest existing parent)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free / 2**20
    except OSError:
        free = None
    return judged(free, settings.MOTCUA_READY_MIN_FREE_MB, above_fails=False)

"""Delivering one dossier's changes to the portal, in the worker.

A run claims the dossier (a lease: one run at a time per dossier, so its records go in order),
folds its events into the portal records, and sends those above ``delivered_seq`` one by one,
moving ``delivered_seq`` after each confirmed call (each its own short transaction). When it does
not know what the portal holds (first run, after a failure, after a run that died mid-call) it
asks first (``TraCuuHoSo``): if the portal already holds the next record, that record is counted
as delivered and not sent again; the portal's answer also says whether to create or update
(``isUpdating``). So a call repeated by a retry, a lost reply or a crash between the call and its
mark changes nothing at the portal, and no record overtakes an earlier one.

A failure (another error code, HTTP error, timeout) is retried after base × 2^(n−1) seconds; after
``MOTCUA_DVCQG_MAX_ATTEMPTS`` the dossier is set aside (dead letter) with the reason, until an
officer sends it again.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from motcua.common.clock import now
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import Dossier
from motcua.integrations.dvcqg.client import PortalClient, PortalError, portal

from .models import DossierSync
from .record import Document, Static, Step, portal_is_at, steps_after_events

logger = logging.getLogger(__name__)
SWEEP_BATCH = 200


def lease_length() -> datetime.timedelta:
    # Long enough for two calls that time out, so that a slow run is not taken over mid-call.
    floor = settings.MOTCUA_DVCQG_LEASE_SECONDS
    return datetime.timedelta(seconds=max(floor, 3 * settings.MOTCUA_DVCQG_TIMEOUT))


def backoff(attempts: int) -> datetime.timedelta:
    base, cap = settings.MOTCUA_DVCQG_BACKOFF_SECONDS, settings.MOTCUA_DVCQG_BACKOFF_MAX_SECONDS
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def claim(dossier_id: int, at: datetime.datetime) -> DossierSync | None:
    """The row, leased to this run, if nobody else holds it; a lease found expired means the run
    that held it died mid-call, so this one is unsure of what the portal holds."""
    row = DossierSync.objects.filter(pk=dossier_id, dead_at__isnull=True).first()
    if row is None or (row.lease_until is not None and row.lease_until > at):
        return None
    unsure = row.unsure or row.lease_until is not None
    taken = DossierSync.objects.filter(pk=dossier_id, lease_until=row.lease_until).update(
        lease_until=at + lease_length(), unsure=unsure
    )
    if not taken:
        return None  # another run took it between the read and the update
    row.refresh_from_db()
    return row


def static_of(dossier: Dossier, code: str) -> Static:
    documents = tuple(
        Document(d.pk, d.name, d.kind, d.uploaded_at, d.digitised_at_counter)
        for d in dossier.documents.all()
    )
    return Static(
        code=code, procedure_code=dossier.procedure.code, procedure_name=dossier.procedure.name,
        applicant=dossier.applicant if isinstance(dossier.applicant, dict) else {},
        applicant_kind=dossier.applicant_kind, channel=dossier.channel,
        deciding_unit=dossier.deciding_unit.name, documents=documents,
    )  # fmt: skip


def portal_code_of(dossier: Dossier) -> str:
    """A dossier submitted on the national portal already has its MaHoSo there: the portal's
    code, given as the idempotency key when it was delivered to us (api POST /dossiers)."""
    if dossier.channel == Channel.NATIONAL_PORTAL and dossier.idempotency_key:
        return str(dossier.idempotency_key)[:60]
    return ""


def madonvi(dossier: Dossier) -> str:
    unit = dossier.receiving_unit
    return unit.e_identifier or unit.code


def portal_steps(dossier: Dossier, code: str) -> tuple[list[Step], int]:
    """What the portal must receive, and the last event it covers (one read of the log: an
    event committed meanwhile is left for the next run, never skipped)."""
    events = list(dossier.events.order_by("seq"))
    last_seq = events[-1].seq if events else 0
    return steps_after_events(static_of(dossier, code), events), last_seq


def portal_history(dossier: Dossier, code: str) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    """The records the portal must hold, in order, and the last event they cover."""
    steps, last_seq = portal_steps(dossier, code)
    return [(s.seq, s.record) for s in steps if s.record is not None], last_seq


def dossier_deliver(dossier_id: int, client: PortalClient | None = None) -> str:
    """One run for one dossier; returns what happened (for the log and tests)."""
    at = now()
    row = claim(dossier_id, at)
    if row is None:
        return "busy"
    try:
        return run(row, client)
    except (PortalError, ImproperlyConfigured) as error:
        return failed(row, str(error))
    except Exception as error:  # a misconfiguration or a bug: kept on the row, retried later
        logger.exception("portal sync of dossier %s failed", dossier_id)
        return failed(row, repr(error))


def run(row: DossierSync, client: PortalClient | None) -> str:
    dossier = Dossier.objects.select_related("procedure", "receiving_unit", "deciding_unit").get(
        pk=row.pk
    )
    from_portal = portal_code_of(dossier)
    if dossier.status == Status.NEW and not dossier.code and not from_portal:
        # Not received yet: its code (the portal's MaHoSo) does not exist. Reception re-arms it.
        DossierSync.objects.filter(pk=row.pk, enqueued_seq__lte=row.enqueued_seq).update(
            next_attempt_at=None
        )
        release(row)
        return "waiting"
    code = row.portal_code or from_portal or dossier.code or dossier.ref
    steps, last_seq = portal_steps(dossier, code)
    steps = [step for step in steps if step.seq > row.delivered_seq]
    client = client or portal()
    unit = madonvi(dossier)
    held = None
    if steps and (row.unsure or not row.portal_has):
        held = client.lookup(unit, code)
        row.portal_has = held is not None
    for step in steps:
        if step.record is not None:
            # Only the first unconfirmed record can be at the portal already (one at a time):
            # if it is, the call before the failure did arrive and is not made again.
            if held is None or not portal_is_at(held, step.record):
                client.dossier_sync(unit, [step.record], updating=row.portal_has)
                row.portal_has = True
            held = None
        client.progress(unit, [step.progress])  # the portal keeps a progress line once
        mark(row, step.seq, code)
    return done(row, last_seq, code)


def mark(row: DossierSync, seq: int, code: str) -> None:
    """The portal confirmed the record after event ``seq``: it is not sent again."""
    row.delivered_seq, row.portal_code, row.unsure = seq, code, False
    DossierSync.objects.filter(pk=row.pk).update(
        delivered_seq=seq, portal_code=code, portal_has=True, unsure=False,
        lease_until=now() + lease_length(),
    )  # fmt: skip


def done(row: DossierSync, last_seq: int, code: str) -> str:
    at = now()
    seq = max(row.delivered_seq, last_seq)
    DossierSync.objects.filter(pk=row.pk).update(
        delivered_seq=seq, portal_code=code, portal_has=row.portal_has, unsure=False, attempts=0,
        last_error="", last_attempt_at=at, delivered_at=at, lease_until=None,
    )  # fmt: skip
    # Nothing left to do unless an event came meanwhile (its mark raised enqueued_seq).
    DossierSync.objects.filter(pk=row.pk, enqueued_seq__lte=seq).update(next_attempt_at=None)
    return "delivered"


def release(row: DossierSync) -> None:
    DossierSync.objects.filter(pk=row.pk).update(lease_until=None)


def failed(row: DossierSync, reason: str) -> str:
    at = now()
    attempts = row.attempts + 1
    dead = attempts >= settings.MOTCUA_DVCQG_MAX_ATTEMPTS
    logger.warning("portal sync of dossier %s, attempt %s: %s", row.pk, attempts, reason)
    DossierSync.objects.filter(pk=row.pk).update(
        attempts=attempts, last_error=reason[:2000], last_attempt_at=at, unsure=True,
        lease_until=None, dead_at=at if dead else None,
        next_attempt_at=None if dead else at + backoff(attempts),
    )  # fmt: skip
    return "dead" if dead else "retry"


def due_ids(at: datetime.datetime, limit: int = SWEEP_BATCH) -> list[int]:
    return list(
        DossierSync.objects.filter(next_attempt_at__lte=at, dead_at__isnull=True)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(limit: int = SWEEP_BATCH, client: PortalClient | None = None) -> dict[str, int]:
    """The sweep: every dossier whose delivery is due, each in its own run."""
    outcomes: dict[str, int] = {}
    for dossier_id in due_ids(now(), limit):
        outcome = dossier_deliver(dossier_id, client)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def send_again(dossier_ids: list[int]) -> int:
    """An officer's "send again": set-aside dossiers are due now, with a fresh count of tries."""
    return DossierSync.objects.filter(pk__in=dossier_ids).update(
        dead_at=None, attempts=0, next_attempt_at=now(), unsure=True
    )

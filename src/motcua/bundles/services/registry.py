"""A member's result written to its national registry before it hands off (Decree 63/2024 art.
7–8: the birth is registered in the Ministry of Justice's shared software, whose e-certificate is
then split to the residence and social-insurance systems).

The bundle kernel only keeps the outbox row (``RegistryCall``) and what happened to it; the
worker's delivery (``integrations.registry``) claims a row, calls the registry outside any
transaction with the row's idempotency key, and reports back here. A reply lost on the way
back is retried into the same record; nothing is lost (the row commits with the result that
owes it) and nothing is recorded twice (the key).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from motcua.common import events
from motcua.common.prepared import PreparedQuery
from motcua.common.queries import save_changed, saved_values, unique_or_none
from motcua.dossiers.models import Dossier

from ..constants import BundleAction, CallStatus
from ..models import Bundle, BundleMember, RegistryCall
from .lock import BUNDLE_LOCKED
from .record import event_add

LEASE = datetime.timedelta(minutes=2)  # longer than any registry timeout


def call_facts(bundle: Bundle, member: BundleMember, dossier: Dossier) -> dict[str, Any]:
    """What the registry is told: the facts given once, the member dossier's code and decision,
    and what the registries gave before (the child's personal ID number from civil status)."""
    facts: dict[str, Any] = {
        **bundle.subject, "bundle_ref": bundle.ref, "dossier_code": dossier.code,
        "applicant_name": bundle.applicant_name, "decision": dossier.decision,
    }  # fmt: skip
    for other in bundle.members.exclude(pk=member.pk).only("result"):
        earlier = (other.result or {}).get("registry") or {}
        if earlier.get("personal_id"):
            facts["personal_id"] = earlier["personal_id"]
    return facts


def call_of_member(member_id: int) -> QuerySet[RegistryCall]:
    return RegistryCall.objects.filter(member_id=member_id).order_by()


# Asked at every saga step until the member's registry has recorded it: compiled once.
CALL_OF_MEMBER = PreparedQuery(call_of_member, member_id=(1, 2))


def registry_recorded(
    bundle: Bundle, member: BundleMember, dossier: Dossier, *, at: datetime.datetime
) -> bool:
    """Whether the member's result is in its registry; the first time it is asked, the outbox
    row is written and announced (``bundle.registry_call_due``) in the caller's transaction."""
    call = CALL_OF_MEMBER.one_or_none(member_id=member.pk)
    if call is None:
        system, _slash, operation = member.registry.partition("/")
        call = RegistryCall.objects.create(
            member=member, system=system, operation=operation,
            idempotency_key=f"{bundle.ref}/{member.service}/{operation}",
            facts=call_facts(bundle, member, dossier), created_at=at, next_attempt_at=at,
        )  # fmt: skip
        events.publish("bundle.registry_call_due", call=call, bundle=bundle)
    return call.status == CallStatus.RECORDED


def registry_call_claim(call_id: int, at: datetime.datetime) -> RegistryCall | None:
    """The row, counted as one more attempt, if it is pending and nobody else is calling."""
    with transaction.atomic():
        call = unique_or_none(RegistryCall.objects.select_for_update().filter(pk=call_id))
        if call is None or call.status != CallStatus.PENDING:
            return None
        if call.claimed_until is not None and call.claimed_until > at:
            return None
        call.attempts += 1
        call.claimed_until = at + LEASE
        call.save(update_fields=["attempts", "claimed_until"])
    return call


def registry_call_recorded(*, call_id: int, reply: dict[str, Any], at: datetime.datetime) -> Bundle:
    """The registry recorded it: the number joins the member's result, and the saga goes on
    (the members after it start, with that number)."""
    from .advance import bundle_reconcile, members_of

    with transaction.atomic():
        bundle_id = (
            RegistryCall.objects.filter(pk=call_id)
            .values_list("member__bundle_id", flat=True)
            .get()
        )
        bundle = BUNDLE_LOCKED.one_or_none(bundle_id=bundle_id)
        assert bundle is not None  # the call's member belongs to it (a foreign key)
        before = saved_values(bundle)
        call = RegistryCall.objects.select_for_update().select_related("member").get(pk=call_id)
        if call.status == CallStatus.RECORDED:
            return bundle
        call.status, call.reply, call.recorded_at = CallStatus.RECORDED, reply, at
        call.claimed_until = call.next_attempt_at = None
        call.last_error = ""
        call.save()
        member = BundleMember.objects.get(pk=call.member_id)
        member.result = {**member.result, "registry": reply}
        member.save(update_fields=["result"])
        event_add(
            bundle, action=BundleAction.REGISTRY_RECORDED, at=at, service=member.service,
            payload={"registry": f"{call.system}/{call.operation}", "number": reply.get("number"),
                     "attempts": call.attempts},
        )  # fmt: skip
        bundle_reconcile(bundle, members_of(bundle), at=at, actor=None)
        save_changed(bundle, before)
    return bundle


def registry_call_failed(
    *, call_id: int, error: str, permanent: bool, at: datetime.datetime
) -> str:
    """Record the failure; try again later (1, 2, 4 … minutes, at most an hour) unless retrying
    cannot help or the attempts are spent — then the bundle's history says so."""
    with transaction.atomic():
        call = RegistryCall.objects.select_for_update().select_related("member").get(pk=call_id)
        exhausted = call.attempts >= settings.MOTCUA_REGISTRY_MAX_ATTEMPTS
        call.last_error = error[:2000]
        call.claimed_until = None
        if permanent or exhausted:
            call.status, call.next_attempt_at = CallStatus.FAILED, None
            bundle = BUNDLE_LOCKED.one_or_none(bundle_id=call.member.bundle_id)
            assert bundle is not None  # the call's member belongs to it (a foreign key)
            event_add(
                bundle, action=BundleAction.REGISTRY_FAILED, at=at, service=call.member.service,
                reason=error[:500], payload={"registry": f"{call.system}/{call.operation}",
                                             "attempts": call.attempts, "permanent": permanent},
            )  # fmt: skip
            bundle.save()
        else:
            call.next_attempt_at = at + backoff(call.attempts)
        call.save()
    return call.status


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def registry_calls_due(at: datetime.datetime, limit: int = 500) -> list[int]:
    """Pending calls whose next attempt is due and that nobody holds (the retry sweep)."""
    rows = RegistryCall.objects.filter(status=CallStatus.PENDING, next_attempt_at__lte=at).exclude(
        claimed_until__gt=at
    )
    return list(rows.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])

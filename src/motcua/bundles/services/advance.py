"""The saga carried out: the parent brought in line with its member dossiers, then what the rules
say next (``saga.plan``) — hand-offs, cancellations, the notice, stops — each in the caller's
transaction, under the bundle's row lock, and recorded.

Officers act on member dossiers through the dossier kernel; its events only enqueue
``bundle_advance`` (the outbox), which runs in the worker in a transaction of its own: a failure
here never refuses the officer's action, and nothing is lost between the two (the task row
commits with the action). Running it twice does nothing more (the saga reaches a fixpoint).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.common.prepared import PreparedQuery
from motcua.common.queries import save_changed, saved_values
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import Applicant, dossier_submit, dossier_withdraw

from ..constants import TERMINAL_BUNDLE_STATUSES, BundleAction, MemberState
from ..deadlines import due_from, limit_stored
from ..definitions import definition_from_snapshot
from ..models import Bundle, BundleMember
from ..saga import (
    Activate,
    Cancel,
    Command,
    MemberView,
    Notice,
    Stop,
    bundle_status,
    member_state_of,
    plan,
)
from .apology import apologies_follow
from .lock import BUNDLE_LOCKED
from .record import event_add
from .registry import registry_recorded


def bundle_advance(*, bundle_id: int, at: datetime.datetime) -> Bundle | None:
    """What the worker runs after any event of a member dossier (idempotent)."""
    with transaction.atomic():
        bundle = BUNDLE_LOCKED.one_or_none(bundle_id=bundle_id)
        if bundle is None:
            return None
        before = saved_values(bundle)
        bundle_reconcile(bundle, members_of(bundle), at=at, actor=None)
        save_changed(bundle, before)
    return bundle


def member_rows(bundle_id: int) -> QuerySet[BundleMember]:
    return (
        BundleMember.objects.filter(bundle_id=bundle_id)
        .select_related("dossier", "unit")
        .order_by("order")
    )


# Read at every step of every bundle's saga: compiled once per connection. The procedure is
# read only when a member is handed off (``member_activate``).
MEMBERS = PreparedQuery(member_rows, bundle_id=(1, 2))


def members_of(bundle: Bundle) -> list[BundleMember]:
    members = MEMBERS(bundle_id=bundle.pk)
    for member in members:
        member.bundle = bundle  # the caller's row (locked, about to be saved), not a copy
    return members


def bundle_reconcile(
    bundle: Bundle, members: Sequence[BundleMember], *, at: datetime.datetime, actor: User | None
) -> list[Command]:
    """Bring the parent in line with its members' dossiers and carry out what comes next. The
    caller holds the bundle's row lock and saves the bundle."""
    for member in members:
        member_sync(bundle, member, at=at)
    reception_record(bundle, members[0], at=at)
    apologies_follow(bundle, members, at=at)
    decided = {m.service for m in members if m.dossier is not None and m.dossier.decision}
    views = [
        MemberView(m.service, m.after or None, MemberState(m.state))
        for m in members
        if not (bundle.withdrawn and m.service in decided)  # a signed decision is not stopped
    ]
    commands = plan(views, withdrawn=bundle.withdrawn, noticed=bundle.noticed)
    by_service = {m.service: m for m in members}
    for command in commands:
        command_run(bundle, command, by_service, at=at, actor=actor)
    status_update(bundle, members, at=at, actor=actor)
    return commands


def member_sync(bundle: Bundle, member: BundleMember, *, at: datetime.datetime) -> None:
    """The member's state, acknowledgement, due date and result, as its dossier now says."""
    dossier = member.dossier
    if dossier is None:
        return
    state = member_state_of(dossier.status, dossier.decision)
    before = saved_values(member)
    if member.acknowledged_at is None and dossier.received_at is not None:
        member.acknowledged_at = dossier.received_at
    if dossier.due_at is not None:
        member.due_at = dossier.due_at
    if (
        state in (MemberState.DONE, MemberState.REFUSED, MemberState.STOPPED)
        and not member.decided_at
    ):
        member.decided_at = dossier.finished_at or at
    if state == MemberState.DONE and not member.result:
        member.result = result_of(dossier)
    # A member is done only once its registry has recorded it (below), which is never undone:
    # asked again only until then (the saga reconciles every member after each member event).
    owed = state == MemberState.DONE and member.registry and member.state != MemberState.DONE
    if owed and not registry_recorded(bundle, member, dossier, at=at):
        state = MemberState.RECORDING  # the result exists; its registry record is owed
    previous, member.state = member.state, state
    save_changed(member, before)
    if state != previous:
        event_add(
            bundle, action=BundleAction.MEMBER_CHANGED, at=at, service=member.service,
            payload={"from": previous, "to": state, "dossier": dossier.ref, "status": dossier.status},
        )  # fmt: skip


def result_of(dossier: Dossier) -> dict[str, Any]:
    """What a member's result hands to the members after it: the decision, its text, the issued
    documents' numbers and the result files (by name and SHA-256)."""
    return {
        "dossier_ref": dossier.ref,
        "dossier_code": dossier.code,
        "decision": dossier.decision,
        "result_note": dossier.result_note,
        "decided_at": dossier.finished_at.isoformat() if dossier.finished_at else None,
        "issued": [
            {"kind": kind, "number": number}
            for kind, number in dossier.issued_documents.values_list("kind", "number")
        ],
        "documents": [
            {"name": name, "sha256": sha256}
            for name, sha256 in dossier.documents.filter(
                kind=DossierDocument.Kind.RESULT
            ).values_list("name", "sha256")
        ],
    }


def reception_record(bundle: Bundle, root: BundleMember, *, at: datetime.datetime) -> None:
    """The first member's reception is the bundle's: its code is the bundle's code (the one on
    the applicant's receipt) and the whole bundle's limit counts from it."""
    dossier = root.dossier
    if bundle.received_at is not None or dossier is None or dossier.received_at is None:
        return
    bundle.code = dossier.code
    bundle.received_at = dossier.received_at
    bundle.due_at = due_from(bundle.limit, start=dossier.received_at, unit=bundle.receiving_unit)
    bundle.statutory_due_at = bundle.due_at
    event_add(
        bundle, action=BundleAction.RECEIVE, at=at, service=root.service,
        payload={"code": bundle.code, "received_at": bundle.received_at.isoformat(),
                 "due_at": bundle.due_at.isoformat()},
    )  # fmt: skip


def command_run(
    bundle: Bundle, command: Command, members: dict[str, BundleMember], *,
    at: datetime.datetime, actor: User | None,
) -> None:  # fmt: skip
    if isinstance(command, Activate):
        member = members[command.service]
        member_activate(bundle, member, members[member.after], at=at)
    elif isinstance(command, Cancel):
        member = members[command.service]
        member.state = MemberState.CANCELLED
        member.save()
        event_add(
            bundle, action=BundleAction.CANCEL, at=at, actor=actor, service=member.service,
            payload={"because": command.because},
        )  # fmt: skip
    elif isinstance(command, Stop):
        member_stop(bundle, members[command.service], at=at, actor=actor)
    else:
        notice_record(bundle, command, members, at=at)


def member_form(
    bundle: Bundle, member: BundleMember, upstream: BundleMember | None
) -> dict[str, Any]:
    """What the member's agency receives: the bundle's reference, the facts the applicant gave
    once, and the result of the member before it (nothing retyped)."""
    definition = definition_from_snapshot(bundle.definition)
    form: dict[str, Any] = {
        "bundle": {
            "id": bundle.pk, "ref": bundle.ref, "kind": bundle.kind, "service": member.service,
            "name": definition.member(member.service).name, "root": upstream is None,
        },
        "subject": dict(bundle.subject),
    }  # fmt: skip
    if upstream is not None:
        form["upstream"] = {"service": upstream.service, **upstream.result}
    return form


def member_activate(
    bundle: Bundle, member: BundleMember, upstream: BundleMember, *, at: datetime.datetime
) -> None:
    """Hand-off (Decree 63/2024 art. 8): the member's dossier is created at its agency, waiting
    for it to acknowledge (receive) it, with the applicant's data and the upstream result."""
    dossier = dossier_submit(
        procedure=member.procedure, receiving_unit=member.unit, applicant=Applicant(**bundle.applicant),
        channel=bundle.channel, at=at, actor=None, owner=bundle.owner,
        eform_data=member_form(bundle, member, upstream),
    )  # fmt: skip
    carried = documents_carry(upstream.dossier, dossier)
    member.dossier = dossier
    member.state = MemberState.PENDING
    member.activated_at = at
    member.due_at = due_from(member.limit, start=at, unit=member.unit)
    member.ack_due_at = ack_due(bundle, member, start=at)
    member.save()
    assert upstream.dossier is not None
    event_add(
        bundle, action=BundleAction.HAND_OFF, at=at, service=member.service,
        payload={"from": upstream.service, "upstream_code": upstream.dossier.code,
                 "dossier": dossier.ref, "unit": member.unit.code, "documents": carried,
                 "due_at": member.due_at.isoformat()},
    )  # fmt: skip


def ack_due(
    bundle: Bundle, member: BundleMember, *, start: datetime.datetime
) -> datetime.datetime | None:
    """When the member's agency must have acknowledged (received) its e-dossier: 2 working hours
    on its calendar (Decree 63/2024 art. 7(4))."""
    spec = definition_from_snapshot(bundle.definition).acknowledge_within
    if spec is None:
        return None
    return due_from(
        limit_stored(spec, after_cutoff_next_working_day=False), start=start, unit=member.unit
    )


def documents_carry(source: Dossier | None, target: Dossier) -> list[dict[str, str]]:
    """The upstream's result files, attached to the new dossier as inputs (the same stored file:
    files are stored under their hash and never rewritten)."""
    if source is None:
        return []
    carried = []
    for document in source.documents.filter(kind=DossierDocument.Kind.RESULT):
        DossierDocument.objects.create(
            dossier=target, kind=DossierDocument.Kind.INPUT, name=document.name[:255],
            original_filename=document.original_filename, file=document.file.name,
            sha256=document.sha256, content_type=document.content_type, size=document.size,
            uploaded_by=None, uploaded_at=target.submitted_at,
        )  # fmt: skip
        carried.append({"name": document.name, "sha256": document.sha256})
    return carried


def member_stop(
    bundle: Bundle, member: BundleMember, *, at: datetime.datetime, actor: User | None
) -> None:
    """The applicant withdrew the bundle: the member's undecided dossier is stopped (Decree
    118/2025 art. 21; the stop notice, Mẫu 05, is issued by the dossier kernel). The bundle's
    event names who asked; the dossier's names the system that carried it out."""
    assert member.dossier is not None
    who = actor.username if actor is not None else "system"
    stopped = dossier_withdraw(
        dossier=member.dossier, actor=None, at=at,
        reason=_("Người nộp rút hồ sơ liên thông %(bundle)s (yêu cầu ghi nhận bởi %(who)s).")
        % {"bundle": bundle.code or bundle.ref, "who": who},
    )  # fmt: skip
    member.dossier = stopped
    member_sync(bundle, member, at=at)


def notice_record(
    bundle: Bundle, command: Notice, members: dict[str, BundleMember], *, at: datetime.datetime
) -> None:
    """One notice to the applicant: the members after a failed one will not start. Published as
    ``bundle.notice`` for the messaging side to deliver (the bundle kernel sends nothing)."""
    failed = [
        m.service
        for m in members.values()
        if m.state in (MemberState.REFUSED, MemberState.STOPPED) and m.dossier is not None
    ]
    cancelled = [m.service for m in members.values() if m.state == MemberState.CANCELLED]
    bundle.noticed = True
    event_add(
        bundle, action=BundleAction.NOTICE, at=at,
        payload={"kind": command.kind, "failed": failed, "cancelled": cancelled},
    )  # fmt: skip


def status_update(
    bundle: Bundle, members: Sequence[BundleMember], *, at: datetime.datetime, actor: User | None
) -> None:
    views = [MemberView(m.service, m.after or None, MemberState(m.state)) for m in members]
    status = bundle_status(views, withdrawn=bundle.withdrawn)
    if status == bundle.status:
        return
    before = bundle.status
    bundle.status = status
    if status in TERMINAL_BUNDLE_STATUSES:
        bundle.finished_at = at
    action = (
        BundleAction.FINISH if status in TERMINAL_BUNDLE_STATUSES else BundleAction.STATUS_CHANGED
    )
    event_add(bundle, action=action, at=at, actor=actor, from_status=before)

"""The one way a dossier changes: ``act``.

In one transaction it locks the dossier row, checks the optimistic version, who may act (from the
action registry), the state and the one-stop rules, applies the action's effect, records the step
hand-over, appends the sealed, hash-chained event, issues the action's legal form and publishes the
event. ``actor=None`` is the system itself (imports of legacy data): it skips the check of who
acts, never the rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.common.errors import NotAllowed, composed, worded
from motcua.common.held_rows import rows_held
from motcua.organizations.models import Unit

from .. import steps
from ..actions import ActionSpec, check_state_and_guards, spec_for
from ..audit import event_seal
from ..constants import Status, StepOutcome
from ..errors import MissingInput, TransitionNotAllowed
from ..models import ApplicantLink, Dossier, DossierEvent, DossierStep
from ..store import store
from . import documents, signing


@dataclass(frozen=True)
class Change:
    """What an action does to the dossier, and what its event records.

    ``to_step``: the process step the dossier enters (``None``: it stays where it is);
    ``leave_steps``: it leaves the process (a final state); ``outcome`` closes the step it left.
    """

    to_status: str
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    payload: dict[str, Any] | None = None
    to_step: int | None = None
    leave_steps: bool = False
    outcome: str = StepOutcome.FORWARDED


def require_reason(reason: str, what: str | Promise) -> str:
    if not (reason or "").strip():
        raise MissingInput(worded(_("Cần ghi rõ %(what)s."), {"what": what}))
    return reason.strip()


def is_applicant(dossier: Dossier, user: User) -> bool:
    """The account that submitted the dossier, or one that proved it is the applicant (a dossier
    filed at the counter); never merely an account holding the same ID number."""
    if not user.is_authenticated:
        return False
    if dossier.owner_id is not None and dossier.owner_id == user.pk:
        return True
    # Only a citizen account can have proved a counter dossier: officers (asked for every action
    # on every row of a list) cost no query. Remembered on the instance for the other actions.
    if getattr(user, "citizen_profile", None) is None:
        return False
    proven: dict[int, bool] = dossier.__dict__.setdefault("_motcua_proven_by", {})
    if user.pk not in proven:
        link = ApplicantLink.objects.filter(dossier_id=dossier.pk, user_id=user.pk)
        proven[user.pk] = link.exists()
    return proven[user.pk]


def candidate_units(dossier: Dossier, which: str) -> list[tuple[int, str]]:
    """(unit id, capability) pairs an actor may act from, for one entry of ``ActionSpec.by``."""
    if which == "receiving":
        return [(dossier.receiving_unit_id, "")]
    if which == "deciding":
        return [(dossier.deciding_unit_id, "")]
    if which == "counter":  # the one-stop that received it, while no other unit decides it
        same = dossier.deciding_unit_id == dossier.receiving_unit_id
        return [(dossier.receiving_unit_id, "")] if same else []
    if which == "processing":  # the deciding unit, once the one-stop has received the dossier
        return [(dossier.deciding_unit_id, "")] if dossier.status != Status.NEW else []
    if which == "taken":  # the deciding unit, once no transfer from it is waiting
        return [(dossier.deciding_unit_id, "")] if dossier.pending_unit_id is None else []
    if which == "pending":
        return [(dossier.pending_unit_id, "")] if dossier.pending_unit_id else []
    if which == "consulted":
        return [(unit_id, "") for unit_id in open_consultation_unit_ids(dossier)]
    if which == "step":
        here = steps.current(dossier)
        if here is None and steps.steps_of(dossier):
            return []  # the dossier has left its process: no step to act on
        return [(steps.unit_id_of(dossier, here), steps.capability_of(here))]
    raise ValueError(which)


def open_consultation_unit_ids(dossier: Dossier) -> list[int]:
    cached = rows_held(dossier, "consultations")
    if cached is not None:
        return [c.unit_id for c in cached if c.answered_at is None]
    return store().open_consultation_unit_ids(dossier)


@dataclass
class RowAsking:
    """What the actions offered on one row ask again and again, worked out once: the dossier's
    candidate units of each kind (its step, its deciding unit) and the units where the officer
    holds each capability (a row asks a dozen actions, a page fifty rows)."""

    dossier: Dossier
    actor: User
    units: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    held: dict[str, frozenset[int]] = field(default_factory=dict)
    # The acting unit by the ``by`` of an action: a row's dozen actions share a few of them.
    acting: dict[tuple[tuple[str, str], ...], int | None] = field(default_factory=dict)

    def candidates(self, which: str) -> list[tuple[int, str]]:
        units = self.units.get(which)
        if units is None:
            units = self.units[which] = candidate_units(self.dossier, which)
        return units

    def holds_in(self, capability: str, unit_id: int | None) -> bool:
        units = self.held.get(capability)
        if units is None:
            units = self.held[capability] = permissions.unit_ids_held(self.actor, capability)
        return unit_id in units


def acting_unit(
    spec: ActionSpec, dossier: Dossier, actor: User, asking: RowAsking | None = None
) -> int | None:
    """The unit the officer may take the action for, if any."""
    if asking is None:
        asking = RowAsking(dossier, actor)
    if spec.by not in asking.acting:
        asking.acting[spec.by] = first_held_unit(spec, asking)
    return asking.acting[spec.by]


def first_held_unit(spec: ActionSpec, asking: RowAsking) -> int | None:
    for which, capability in spec.by:
        for unit_id, step_capability in asking.candidates(which):
            if asking.holds_in(capability or step_capability, unit_id):
                return unit_id
    return None


def acting_unit_id(spec: ActionSpec, dossier: Dossier, actor: User) -> int:
    """The unit the officer acts for; refuses an officer who may not take the action, and
    says so when no unit could take it now (nothing waits to be accepted or answered)."""
    unit_id = acting_unit(spec, dossier, actor)
    if unit_id is None:
        nothing = nothing_waiting(spec, dossier)
        if nothing is not None:
            raise TransitionNotAllowed(worded(
                _("Không thể “%(action)s” hồ sơ %(ref)s lúc này: %(why)s."),
                {"action": spec.action.label, "ref": dossier.code or dossier.ref, "why": nothing},
            ))  # fmt: skip
        raise NotAllowed(composed(lambda: refusal_message(spec, dossier, actor)))
    return unit_id


# Why no unit at all could take an action whose units are all of these kinds, now.
NOTHING_WAITING = {
    "pending": _("không có đơn vị nào đang chờ nhận hồ sơ được chuyển đến"),
    "consulted": _("không có yêu cầu lấy ý kiến nào đang chờ trả lời"),
}


def nothing_waiting(spec: ActionSpec, dossier: Dossier) -> str | Promise | None:
    """The reason no unit could take ``spec`` now, if that is why the actor may not: read
    again from the database (a refusal only), as the dossier in hand may be older."""
    kinds = {which for which, _capability in spec.by}
    if not kinds <= NOTHING_WAITING.keys():
        return None
    if (
        "pending" in kinds
        and Dossier.objects.filter(pk=dossier.pk, pending_unit__isnull=False).exists()
    ):
        return None
    if "consulted" in kinds and store().open_consultation_unit_ids(dossier):
        return None
    return NOTHING_WAITING[sorted(kinds)[0]]


def refusal_message(spec: ActionSpec, dossier: Dossier, actor: User) -> str:
    if not_received_yet(spec, dossier, actor):
        return _(
            "Hồ sơ %(ref)s chưa được tiếp nhận: bộ phận một cửa kiểm tra hồ sơ trước; đơn vị "
            "giải quyết “%(action)s” sau khi hồ sơ được tiếp nhận."
        ) % {"ref": dossier.code or dossier.ref, "action": spec.label}
    if any(which == "step" for which, _cap in spec.by):
        here = steps.current(dossier)
        if here is not None:
            return _(
                "Bước “%(step)s” do %(role)s thực hiện; bạn không thể “%(action)s” hồ sơ này."
            ) % {
                # A seeded step's name is in the catalogue; a unit's own stays as it wrote it.
                "step": gettext(here.name),
                "role": here.get_role_display().lower(),
                "action": spec.label,
            }
    needed = [Capability(cap).label for _which, cap in spec.by if cap in Capability.values]
    either = str(_("hoặc"))  # between two permissions' names
    return _(
        "Bạn không có quyền “%(action)s” đối với hồ sơ %(ref)s: việc này cần quyền “%(needed)s” "
        "tại đơn vị của hồ sơ."
    ) % {
        "action": spec.label,
        "ref": dossier.code or dossier.ref,
        "needed": f"” {either} “".join(str(label) for label in dict.fromkeys(needed)),
    }


def not_received_yet(spec: ActionSpec, dossier: Dossier, actor: User) -> bool:
    """The actor would take the action for the deciding unit once the dossier is received."""
    if dossier.status != Status.NEW:
        return False
    return any(
        which == "processing" and dossier.deciding_unit_id in permissions.unit_ids_held(actor, cap)
        for which, cap in spec.by
    )


def actor_check(
    spec: ActionSpec, dossier: Dossier, actor: User | None, at: datetime.datetime | None = None,
    *, offer: bool = False,
) -> int | None:  # fmt: skip
    """The unit the actor acts for (None: the applicant, or the system). An action that signs
    for the deciding unit also needs a deputy's delegation in force on ``at`` (default: now);
    ``offer``: only asked which actions to offer (the deputy's delegations are read once)."""
    if acts_for_no_unit(spec, dossier, actor):
        return None
    assert actor is not None
    unit_id = acting_unit_id(spec, dossier, actor)
    if spec.signs:
        signing.signer_check(dossier, unit_id=unit_id, actor=actor, at=at or now(), memo=offer)
    return unit_id


def acts_for_no_unit(spec: ActionSpec, dossier: Dossier, actor: User | None) -> bool:
    """The system, or the applicant taking an applicant's action: no unit to act for."""
    return actor is None or (spec.applicant and is_applicant(dossier, actor))


def may(
    spec: ActionSpec, dossier: Dossier, actor: User, at: datetime.datetime | None = None,
    asking: RowAsking | None = None,
) -> bool:  # fmt: skip
    """``actor_check`` as a yes or no, without wording a refusal (a page asks this for every
    action of every row; the words cost more than the answer) or looking for the unit twice;
    ``asking``: what the row's other actions asked already (``RowAsking``). A fact of the row
    read here must also be in ``offers.may_key``, which remembers the answers by those facts."""
    if acts_for_no_unit(spec, dossier, actor):
        return True
    unit_id = acting_unit(spec, dossier, actor, asking)
    if unit_id is None:
        return False
    if spec.signs:
        try:
            signing.signer_check(dossier, unit_id=unit_id, actor=actor, at=at or now(), memo=True)
        except NotAllowed:
            return False
    return True


def locked(dossier: Dossier, expected_version: int | None) -> Dossier:
    """The dossier as it stands, locked until the transaction ends, at the expected version."""
    return store().locked(dossier, expected_version)


def build_event(
    dossier: Dossier, *, action: str, actor: User | None, unit_id: int | None, at: datetime.datetime,
    from_status: str, from_step: int | None, reason: str = "", payload: dict[str, Any] | None = None,
) -> DossierEvent:  # fmt: skip
    """The next event of the dossier's chain (seq = the dossier's new version), sealed with the
    audit key over the dossier's facts as they now stand (decision 0009), unsaved. An action
    done through an API token names the token in the payload (``via_token``)."""
    token = permissions.api_token_of(actor) if actor is not None else None
    if token is not None:
        payload = {**(payload or {}), "via_token": {"id": token.pk, "name": token.name}}
    event = DossierEvent.fresh(
        dossier=dossier, seq=dossier.version, at=at, actor=actor,
        actor_name=actor.username if actor else "system", unit_id=unit_id, action=action,
        from_status=from_status, to_status=dossier.status, from_step=from_step,
        to_step=dossier.current_step, reason=reason, payload=payload or {},
        prev_hash=dossier.last_event_hash,
    )  # fmt: skip
    event_seal(dossier, event)
    dossier.last_event_hash = event.hash
    return event


def step_leave(
    dossier: Dossier, *, at: datetime.datetime, actor: User | None, outcome: str, note: str
) -> None:
    store().step_leave(
        dossier, {"ended_at": at, "ended_by": actor, "ended_by_name": documents.person_name(actor),
                  "outcome": outcome, "note": note[:2000]},
    )  # fmt: skip


def step_enter(dossier: Dossier, order: int, *, at: datetime.datetime, actor: User | None) -> None:
    """The dossier is handed to ``order``: the step's due time starts now."""
    step = steps.step_at(dossier, order)
    dossier.current_step = order
    dossier.step_role = step.role if step is not None else ""
    dossier.step_started_at = at
    dossier.step_due_at = steps.due_of(dossier, step, at)
    if step is None:
        return
    store().step_enter(
        DossierStep.fresh(
            dossier=dossier, order=order, name=step.name, role=step.role,
            unit_id=steps.unit_id_of(dossier, step), started_at=at, due_at=dossier.step_due_at,
            handed_by=actor, handed_by_name=documents.person_name(actor),
        )
    )  # fmt: skip


def apply_steps(
    current: Dossier, change: Change, *, at: datetime.datetime, actor: User | None
) -> None:
    if change.to_step is None and not change.leave_steps:
        return
    step_leave(current, at=at, actor=actor, outcome=change.outcome, note=change.reason)
    if change.leave_steps:
        current.current_step = None
        current.step_role = ""
        current.step_due_at = None
        return
    assert change.to_step is not None
    step_enter(current, change.to_step, at=at, actor=actor)


def act(
    dossier: Dossier,
    action: str,
    *,
    actor: User | None,
    at: datetime.datetime,
    expected_version: int | None,
    decide: Callable[[Dossier], Change],
    inserted_here: bool = False,
) -> Dossier:
    """Run one action atomically: lock, check, change, record, issue, publish.
    ``inserted_here``: ``dossier`` was inserted by the enclosing transaction (a counter dossier
    submitted and received at once), so no one else can see the row and the instance in hand is
    the row as it stands; it is not read again."""
    spec = spec_for(action)
    with store().atomic():
        current = dossier if inserted_here else locked(dossier, expected_version)
        unit_id = actor_check(spec, current, actor, at)
        check_state_and_guards(spec, current, at)
        change = decide(current)
        if spec.signs and actor is not None and unit_id is not None:  # the delegation it used
            payload = signing.signing_payload(current, unit_id=unit_id, actor=actor, at=at)
            change = replace(change, payload={**(change.payload or {}), **payload})
        from_status, from_step = current.status, current.current_step
        for name, value in change.fields.items():
            setattr(current, name, value)
        current.status = change.to_status
        apply_steps(current, change, at=at, actor=actor)
        current.version += 1  # the row is locked: no one else can move it meanwhile
        event = build_event(
            current, action=action, actor=actor, unit_id=unit_id, at=at, from_status=from_status,
            from_step=from_step, reason=change.reason, payload=change.payload,
        )  # fmt: skip
        store().dossier_save(current)
        store().event_add(event)
        if spec.issues:
            documents.document_issue(
                dossier=current, kind=spec.issues, event=event, actor=actor, at=at
            )
        store().publish(spec.event_name, dossier=current, event=event, actor=actor)
    return current


def iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def unit_name(unit_id: int | None) -> str:
    if unit_id is None:
        return ""
    return Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""

"""The saga's rules, as pure functions (docs/decisions/0025).

A bundle is a saga over ordinary member dossiers: each member is a local transaction at its own
agency; there is no rollback across agencies, only forward steps and compensations that the law
allows. These functions say what must happen next from where the members stand; the kernel
(``services``) carries the commands out, each in one transaction, and the property tests check
the rules over random histories:

- a member starts (its dossier is created at its agency) only once the member it comes after has
  its result (Decree 63/2024 art. 8: the e-certificate is split to the next systems);
- when that member ends without a result (refused, stopped), the members after it never start,
  and the applicant gets one notice;
- a member refused or paused (supplement, fees) changes no other member: a refused residence
  registration does not undo the birth certificate;
- withdrawing the bundle stops every member not yet decided (Decree 118/2025 art. 21), cancels
  those not started, and leaves decided ones as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .constants import (
    TERMINAL_MEMBER_STATES,
    UNDECIDED_WITH_DOSSIER,
    BundleStatus,
    MemberState,
)

# What a member's dossier status means for the saga (dossiers.constants.Status values).
OPEN_STATUSES = {"received": MemberState.ACTIVE, "processing": MemberState.ACTIVE}
PAUSED_STATUSES = {"supplement_requested", "awaiting_payment"}
ENDED_WITHOUT_RESULT = frozenset({MemberState.REFUSED, MemberState.STOPPED, MemberState.CANCELLED})


def member_state_of(status: str, decision: str) -> MemberState:
    """The saga state of a member whose dossier has ``status`` and ``decision``. The result
    exists once the dossier is processed (national status 9) or returned (10) with a granted
    decision; a refusal at reception or after appraisal is an end without a result."""
    if status == "new":
        return MemberState.PENDING
    if status in OPEN_STATUSES:
        return OPEN_STATUSES[status]
    if status in PAUSED_STATUSES:
        return MemberState.PAUSED
    if status == "stopped":
        return MemberState.STOPPED
    if status == "not_received":
        return MemberState.REFUSED
    if status in ("processed", "returned"):
        return MemberState.DONE if decision == "approved" else MemberState.REFUSED
    raise ValueError(f"unknown dossier status {status!r}")


@dataclass(frozen=True)
class MemberView:
    service: str
    after: str | None
    state: MemberState


@dataclass(frozen=True)
class Activate:
    """Create the member's dossier at its agency, with the applicant's data and the result of
    the member it comes after."""

    service: str


@dataclass(frozen=True)
class Cancel:
    """The member never starts: ``because`` is ``upstream`` (the member before it ended without
    a result) or ``withdrawn``."""

    service: str
    because: str


@dataclass(frozen=True)
class Stop:
    """Stop the member's undecided dossier (the applicant withdrew the bundle)."""

    service: str


@dataclass(frozen=True)
class Notice:
    """Tell the applicant once that the members after a failed one will not start."""

    kind: str


Command = Activate | Cancel | Stop | Notice


def plan(members: Sequence[MemberView], *, withdrawn: bool, noticed: bool) -> list[Command]:
    """What must happen now, given every member's state. Applying the commands and planning
    again gives nothing more to do (a fixpoint): running the saga twice is harmless."""
    if withdrawn:
        return [
            Cancel(m.service, "withdrawn") if m.state == MemberState.WAITING else Stop(m.service)
            for m in members
            if m.state == MemberState.WAITING or m.state in UNDECIDED_WITH_DOSSIER
        ]
    states = {m.service: m.state for m in members}
    commands: list[Command] = []
    changed = True
    while changed:  # a member cancelled may be the upstream of another: follow the chain
        changed = False
        for member in members:
            if states[member.service] != MemberState.WAITING or member.after is None:
                continue
            upstream = states[member.after]
            if upstream == MemberState.DONE:
                commands.append(Activate(member.service))
                states[member.service] = MemberState.PENDING
                changed = True
            elif upstream in ENDED_WITHOUT_RESULT:
                commands.append(Cancel(member.service, "upstream"))
                states[member.service] = MemberState.CANCELLED
                changed = True
    if not noticed and any(isinstance(c, Cancel) and c.because == "upstream" for c in commands):
        commands.append(Notice("upstream_ended"))
    return commands


def is_terminal(state: str) -> bool:
    return state in TERMINAL_MEMBER_STATES


def bundle_status(members: Iterable[MemberView], *, withdrawn: bool) -> BundleStatus:
    """The parent's status from its members': every outcome stays visible on the members, the
    parent says where the whole stands."""
    members = list(members)
    root = next(m for m in members if m.after is None)
    if not all(is_terminal(m.state) for m in members):
        return (
            BundleStatus.SUBMITTED
            if root.state == MemberState.PENDING
            else BundleStatus.IN_PROGRESS
        )
    if withdrawn or root.state == MemberState.STOPPED:
        return BundleStatus.WITHDRAWN
    if all(m.state == MemberState.DONE for m in members):
        return BundleStatus.DONE
    if root.state != MemberState.DONE:
        return BundleStatus.REFUSED
    return BundleStatus.PARTLY_DONE

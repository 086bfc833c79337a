"""The saga's rules (``bundles.saga``) over random bundles and random histories.

Hypothesis draws a bundle (the birth and death definitions, or a random tree of members) and a
history of what happens to member dossiers (received, paused, decided, refused, stopped) and to
the bundle (withdrawn); the saga's commands are applied after each step, as the kernel does.
Invariants: a member starts only after the member it comes after has its result; an ended
state never changes; one notice at most, exactly when members are cancelled for want of a
result; a refusal or a pause changes no other member; a withdrawal leaves nothing undecided
running; planning again after applying the commands gives nothing (a fixpoint).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.bundles.constants import BundleStatus, MemberState
from motcua.bundles.definitions import definitions
from motcua.bundles.saga import (
    Activate,
    Cancel,
    MemberView,
    Notice,
    Stop,
    bundle_status,
    is_terminal,
    member_state_of,
    plan,
)

S = MemberState
WITH_DOSSIER = {S.PENDING, S.ACTIVE, S.PAUSED, S.RECORDING, S.DONE, S.REFUSED, S.STOPPED}
# What a member dossier may do next (the dossier kernel's transitions, seen from the saga),
# the way forward first.
MOVES: dict[str, list[str]] = {
    S.PENDING: [S.ACTIVE, S.REFUSED, S.STOPPED],
    S.ACTIVE: [S.RECORDING, S.DONE, S.PAUSED, S.REFUSED, S.STOPPED],
    S.PAUSED: [S.ACTIVE, S.STOPPED],
    S.RECORDING: [S.DONE],  # the result is being written to its registry
}


@dataclass
class World:
    """A bundle as the kernel holds it: members' states, decisions signed, flags."""

    after: dict[str, str | None]
    states: dict[str, str]
    decided: set[str] = field(default_factory=set)
    withdrawn: bool = False
    noticed: bool = False
    notices: int = 0
    cancelled_upstream: int = 0
    moved: tuple[str, str] = ("", "")

    def views(self) -> list[MemberView]:
        return [MemberView(s, self.after[s], S(self.states[s])) for s in self.after]

    def apply(self, commands: list[object]) -> None:
        for command in commands:
            if isinstance(command, Activate):
                upstream = self.after[command.service]
                assert upstream is not None
                assert self.states[upstream] == S.DONE, "started before its upstream's result"
                assert self.states[command.service] == S.WAITING
                self.states[command.service] = S.PENDING
            elif isinstance(command, Cancel):
                assert self.states[command.service] == S.WAITING
                self.states[command.service] = S.CANCELLED
                self.cancelled_upstream += command.because == "upstream"
            elif isinstance(command, Stop):
                assert command.service not in self.decided, "stopped a decided member"
                assert self.states[command.service] in {S.PENDING, S.ACTIVE, S.PAUSED}
                self.states[command.service] = S.STOPPED
            else:
                assert isinstance(command, Notice)
                self.notices += 1
                self.noticed = True

    def plan(self) -> list[object]:
        views = [
            v
            for v in self.views()
            # the kernel never asks to stop a member whose decision is signed
            if not (self.withdrawn and v.service in self.decided)
        ]
        return list(plan(views, withdrawn=self.withdrawn, noticed=self.noticed))

    def settle(self) -> list[object]:
        commands = self.plan()
        self.apply(commands)
        assert self.plan() == [], "planning again after applying must give nothing"
        return commands


def shipped_bundles() -> list[dict[str, str | None]]:
    return [{m.service: m.after for m in d.members} for d in definitions().bundles]


@st.composite
def bundles(draw: st.DrawFn) -> dict[str, str | None]:
    if draw(st.booleans()):
        shapes = shipped_bundles()
        return shapes[draw(st.integers(0, len(shapes) - 1))]
    size = draw(st.integers(2, 6))
    after: dict[str, str | None] = {"m0": None}
    for i in range(1, size):
        after[f"m{i}"] = f"m{draw(st.integers(0, i - 1))}"
    return after


# Each step names a member among those that can move and one of its possible moves, so that
# every step happens (random targets would rarely reach a result and its hand-offs).
STEP = st.one_of(
    *[st.tuples(st.just("move"), st.integers(0, 5), st.integers(0, 9))] * 6,
    st.tuples(st.just("sign"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("withdraw"), st.just(0), st.just(0)),
)


def moves_of(world: World, service: str) -> list[str]:
    allowed = MOVES.get(world.states[service], [])
    if service in world.decided:
        allowed = [m for m in allowed if m in (S.RECORDING, S.DONE, S.REFUSED)]
    return allowed


def step(world: World, kind: str, index: int, choice: int) -> list[object] | None:
    """Apply one event if it can happen now; None when it cannot."""
    if kind == "withdraw":
        if world.withdrawn or all(is_terminal(s) for s in world.states.values()):
            return None
        world.withdrawn = True
        return world.settle()
    if kind == "sign":
        active = [s for s in world.after if world.states[s] == S.ACTIVE and s not in world.decided]
        if not active:
            return None
        world.decided.add(active[index % len(active)])
        return world.settle()
    movable = [s for s in world.after if moves_of(world, s)]
    if not movable:
        return None
    service = movable[index % len(movable)]
    options = moves_of(world, service)
    # Mostly forward, so that histories reach results and hand-offs, sometimes anything.
    world.states[service] = options[0] if choice < 5 else options[choice % len(options)]
    world.moved = (service, world.states[service])
    return world.settle()


@settings(max_examples=300, deadline=None)
@given(bundles(), st.lists(STEP, max_size=40))
def test_the_saga_keeps_its_rules_over_any_history(
    after: dict[str, str | None], history: list[tuple[str, int, str]]
) -> None:
    root = next(s for s, a in after.items() if a is None)
    world = World(after, {s: (S.PENDING if a is None else S.WAITING) for s, a in after.items()})
    for kind, index, choice in history:
        before = dict(world.states)
        commands = step(world, kind, index, choice)
        if commands is None:
            continue
        for service, state in before.items():  # an ended member never changes
            if is_terminal(state):
                assert world.states[service] == state
        for service, upstream in after.items():  # nobody starts before its upstream's result
            if upstream is not None and world.states[service] in WITH_DOSSIER:
                assert world.states[upstream] == S.DONE
        moved, target = world.moved if kind == "move" else ("", "")
        if target in (S.ACTIVE, S.PAUSED, S.RECORDING):  # nobody else moves
            assert commands == []
        if target == S.REFUSED and not world.withdrawn:
            changed = {s for s in after if world.states[s] != before[s]} - {moved}
            # only members (transitively) waiting on the refused one change: they are cancelled
            assert all(world.states[s] == S.CANCELLED for s in changed)
        assert world.notices <= 1
        assert (world.notices == 1) == (world.cancelled_upstream > 0)
        if world.withdrawn:  # nothing undecided keeps running
            for service, state in world.states.items():
                assert state not in (S.WAITING, S.PENDING, S.PAUSED)
                assert state != S.ACTIVE or service in world.decided
        if world.states[root] in (S.REFUSED, S.STOPPED):  # nothing after a failed root starts
            assert all(world.states[s] == S.CANCELLED for s in after if s != root)
        status = bundle_status(world.views(), withdrawn=world.withdrawn)
        all_ended = all(is_terminal(s) for s in world.states.values())
        assert (status in (BundleStatus.DONE, BundleStatus.PARTLY_DONE, BundleStatus.REFUSED,
                           BundleStatus.WITHDRAWN)) == all_ended  # fmt: skip


# --------------------------------------------------------------------------------- examples
def views(**states: str) -> list[MemberView]:
    afters = {"birth": None, "residence": "birth", "card": "birth"}
    return [MemberView(s, afters[s], S(state)) for s, state in states.items()]


def test_the_result_of_the_birth_registration_starts_both_members_after_it() -> None:
    commands = plan(
        views(birth="done", residence="waiting", card="waiting"), withdrawn=False, noticed=False
    )
    assert commands == [Activate("residence"), Activate("card")]


def test_a_refused_birth_registration_cancels_the_others_with_one_notice() -> None:
    commands = plan(
        views(birth="refused", residence="waiting", card="waiting"), withdrawn=False, noticed=False
    )
    assert commands == [
        Cancel("residence", "upstream"), Cancel("card", "upstream"), Notice("upstream_ended"),
    ]  # fmt: skip


def test_a_refused_residence_registration_changes_nothing_else() -> None:
    states = views(birth="done", residence="refused", card="active")
    assert plan(states, withdrawn=False, noticed=False) == []
    assert bundle_status(states, withdrawn=False) == BundleStatus.IN_PROGRESS
    ended = views(birth="done", residence="refused", card="done")
    assert bundle_status(ended, withdrawn=False) == BundleStatus.PARTLY_DONE


def test_withdrawal_stops_what_runs_cancels_what_waits_and_keeps_what_is_done() -> None:
    states = views(birth="done", residence="paused", card="waiting")
    assert plan(states, withdrawn=True, noticed=False) == [
        Stop("residence"),
        Cancel("card", "withdrawn"),
    ]
    ended = views(birth="done", residence="stopped", card="cancelled")
    assert bundle_status(ended, withdrawn=True) == BundleStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("status", "decision", "state"),
    [
        ("new", "", S.PENDING),
        ("received", "", S.ACTIVE),
        ("processing", "approved", S.ACTIVE),  # signed, the result not yet issued
        ("supplement_requested", "", S.PAUSED),
        ("awaiting_payment", "", S.PAUSED),
        ("processed", "approved", S.DONE),
        ("returned", "approved", S.DONE),
        ("processed", "rejected", S.REFUSED),
        ("not_received", "", S.REFUSED),
        ("stopped", "", S.STOPPED),
    ],
)
def test_a_member_follows_its_dossier(status: str, decision: str, state: str) -> None:
    assert member_state_of(status, decision) == state


def test_every_dossier_status_has_a_member_state() -> None:
    from motcua.dossiers.constants import Status

    for status in Status.values:
        member_state_of(status, "")


def test_the_parent_is_submitted_until_the_first_member_is_received() -> None:
    assert (
        bundle_status(views(birth="pending", card="waiting"), withdrawn=False)
        == BundleStatus.SUBMITTED
    )
    assert (
        bundle_status(views(birth="active", card="waiting"), withdrawn=False)
        == BundleStatus.IN_PROGRESS
    )
    assert bundle_status(views(birth="done", card="done"), withdrawn=False) == BundleStatus.DONE
    assert (
        bundle_status(views(birth="refused", card="cancelled"), withdrawn=False)
        == BundleStatus.REFUSED
    )


def test_the_applicant_is_told_once_even_when_a_second_branch_fails_later() -> None:
    afters = {"a": None, "b": "a", "c": "b", "d": "a", "e": "d"}
    first = [MemberView(s, afters[s], S(x)) for s, x in
             {"a": "done", "b": "refused", "c": "waiting", "d": "active", "e": "waiting"}.items()]  # fmt: skip
    assert plan(first, withdrawn=False, noticed=False) == [
        Cancel("c", "upstream"),
        Notice("upstream_ended"),
    ]
    later = [MemberView(s, afters[s], S(x)) for s, x in
             {"a": "done", "b": "refused", "c": "cancelled", "d": "refused", "e": "waiting"}.items()]  # fmt: skip
    assert plan(later, withdrawn=False, noticed=True) == [Cancel("e", "upstream")]

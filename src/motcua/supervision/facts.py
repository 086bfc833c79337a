"""What Decision 766 needs to know about one dossier, folded from its events (pure, no database).

The fold keeps the instants from which the on-time rule can be judged at *any* period end: the
reception and its appointment (``due``), the end (the first of processed / returned / stopped /
refused) and the instant it is judged at (``judge_end``: the request, when the dossier ended while
waiting for a supplement), the first supplement request after reception, when it was answered
and the appointment that answer gave (``sup1_due``: the citizen's time taken off the clock, in
working time, as the kernel counts it), and the second request (which alone makes it late).
Instants are whole seconds since the epoch, so that the database compares them alike on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from motcua.dossiers.constants import Action, Status
from motcua.payments.flags import pay_event_flag

# The end of processing (§3: Đã xử lý xong > Đã trả kết quả > Dừng / Từ chối / Rút); a refusal
# after appraisal is a "processed" dossier whose decision is a refusal.
END_STATUSES = frozenset({Status.PROCESSED, Status.RETURNED, Status.STOPPED})
END_KIND_RESOLVED = "resolved"
END_KIND_STOPPED = "stopped"


class EventLike(Protocol):
    action: str
    at: datetime.datetime
    to_status: str
    payload: Any


def seconds(at: datetime.datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def instant(text: object) -> datetime.datetime | None:
    if not text:
        return None
    return datetime.datetime.fromisoformat(str(text))


@dataclass
class Facts:
    received: int | None = None
    due: int | None = None
    end: int | None = None
    end_kind: str = ""
    sup1_start: int | None = None
    judge_end: int | None = None
    sup1_end: int | None = None
    sup1_due: int | None = None
    sup2: int | None = None
    citizen: int = 0  # every supplement wait after reception, in seconds (for 2.2)
    pause_since: int | None = None
    # 766 DuocThanhToanTrucTuyen (indicator 3.6): 1 paid through the national platform, 2 through
    # a local gateway, 0 not paid online (decision 0028).
    payment_flag: int = 0
    fee: int | None = None  # when a fee was first asked or paid: the dossier bears one (3.6)
    paid_online: int | None = None  # when it was paid online (flag 1 or 2)

    def as_fields(self) -> dict[str, Any]:
        return {
            "received": self.received, "due": self.due, "end": self.end,
            "judge_end": self.judge_end, "end_kind": self.end_kind, "sup1_start": self.sup1_start,
            "sup1_end": self.sup1_end, "sup1_due": self.sup1_due, "sup2": self.sup2,
            "citizen": self.citizen, "fee": self.fee, "paid_online": self.paid_online,
        }  # fmt: skip


def facts_fold(events: Iterable[EventLike]) -> Facts:
    """The dossier's facts from its events in order (seq)."""
    facts = Facts()
    for event in events:
        fact_apply(facts, event)
    return facts


def fact_apply(facts: Facts, event: EventLike) -> None:
    at = seconds(event.at)
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.action in (Action.REQUEST_PAYMENT, Action.PAY) and facts.fee is None:
        facts.fee = at
    if event.action == Action.PAY:
        flag = pay_event_flag(payload)
        facts.payment_flag = max(facts.payment_flag, flag)
        if flag and facts.paid_online is None:
            facts.paid_online = at
    if event.action == Action.RECEIVE and facts.received is None:
        facts.received = at
        facts.due = seconds(instant(payload.get("due_at")))
        return
    if facts.received is None or facts.end is not None:
        return  # a supplement asked before reception precedes the clock; nothing counts after the end
    if event.action == Action.REQUEST_SUPPLEMENT:
        if facts.sup1_start is None:
            facts.sup1_start = at
        elif facts.sup2 is None:
            facts.sup2 = at
        if facts.pause_since is None:
            facts.pause_since = at
    elif (
        event.action == Action.SUBMIT_SUPPLEMENT
        and not payload.get("partial")
        and supplement_answered(facts, at)
    ):
        facts.sup1_due = seconds(instant(payload.get("due_at")))
    if event.to_status in END_STATUSES:
        # Ended while waiting for the supplement: judged at the request (§3).
        waiting_first = facts.pause_since is not None and facts.pause_since == facts.sup1_start
        facts.judge_end = facts.sup1_start if waiting_first else at
        supplement_answered(facts, at)
        facts.end = at
        stopped = event.to_status == Status.STOPPED
        facts.end_kind = END_KIND_STOPPED if stopped else END_KIND_RESOLVED


def supplement_answered(facts: Facts, at: int | None) -> bool:
    """Close the waiting supplement; True if it was the first request's."""
    if facts.pause_since is None or at is None:
        return False
    first = facts.sup1_end is None and facts.pause_since == facts.sup1_start
    if first:
        facts.sup1_end = at
    facts.citizen += at - facts.pause_since
    facts.pause_since = None
    return first

"""Replaying dossier events from JSON lines (legacy migration, tests) and exporting dossiers.

Each line goes through the same services as the web, with the clock set to the event's ``at``.
Legacy systems record no internal steps, so ``approve``, ``reject`` and ``complete`` act wherever
the dossier stands: the importer first moves it through the steps as the system, and says so in
those events' payload.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_by_code
from motcua.common.clock import clock_set_to, now
from motcua.common.errors import DomainError, sqlstate
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET, CalendarRangeError
from motcua.worktime.models import SUPPORTED_YEARS

from . import services
from .constants import NATIONAL_STATUS, Decision, Status
from .deadlines import procedure_cases
from .lines import Latest, LineError, Ordering, Reason, instant, line_parse
from .models import Dossier, DossierEvent
from .store import store

__all__ = ["LineError", "Reason", "instant", "line_parse"]  # with this module's own names

log = logging.getLogger(__name__)

MAX_AMOUNT = 10**13  # đồng: beyond any fee, within a 64-bit column
IMPORT_NOTE = "import: advanced by the importer (legacy data has no step detail)"


@dataclass
class ReplayReport:
    applied: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Replayer:
    trust_actors: bool = False
    users: dict[str, User | None] = field(default_factory=dict)
    units: dict[str, Unit | None] = field(default_factory=dict)
    procedures: dict[str, Procedure | None] = field(default_factory=dict)
    ordering: Ordering = field(default_factory=Ordering)

    def users_preload(self, names: set[str]) -> None:
        """Read the accounts a batch of lines names, in one query (with whether each is a
        citizen's, which the rules ask of every actor: ``kernel.is_applicant``)."""
        wanted = [name for name in names if name and name not in self.users]
        if not wanted:
            return
        accounts = User.objects.filter(username__in=wanted).select_related("citizen_profile")
        found = {u.username: u for u in accounts}
        for name in wanted:
            self.users[name] = found.get(name)

    def units_preload(self, codes: set[str]) -> None:
        """Read the units a batch of lines names, in one query."""
        wanted = [code for code in codes if code and code not in self.units]
        if not wanted:
            return
        found = {u.code: u for u in Unit.objects.select_related("area").filter(code__in=wanted)}
        for code in wanted:
            self.units[code] = found.get(code)

    def user(self, username: str) -> User | None:
        self.users_preload({username})
        return self.users.get(username)

    def unit(self, code: str) -> Unit | None:
        self.units_preload({code})
        return self.units.get(code)

    def procedure(self, code: str) -> Procedure | None:
        if code not in self.procedures:
            self.procedures[code] = procedure_by_code(code)
        return self.procedures[code]

    def apply(self, event: dict[str, Any]) -> Dossier:
        at = instant(event.get("at"))
        action = str(event.get("action") or "")
        ref = line_ref(event)
        if not ref:
            raise LineError(_("thiếu số tham chiếu hồ sơ ('dossier')"), "type")
        actor = self.actor(event)
        with clock_set_to(at):
            if action == "submit":
                return self.submit(ref, event, actor, at)
            dossier = store().by_ref(ref)
            if dossier is None:
                raise LineError(_("hồ sơ chưa được nộp (chưa có sự kiện 'submit')"))
            self.ordering.check(ref, at, event, lambda: events_latest(dossier.pk))
            return self.act(dossier, action, event, actor, at)

    def applied(self, event: dict[str, Any]) -> None:
        """``event`` is applied for good: later lines of its dossier must not be earlier."""
        self.ordering.applied(line_ref(event), instant(event.get("at")), event)

    def actor(self, event: dict[str, Any]) -> User | None:
        username = str(event.get("actor") or "").strip()
        if not username:
            return None
        user = self.user(username)
        if user is None:
            raise LineError(_("không có người dùng '%(name)s'") % {"name": username})
        return None if self.trust_actors else user

    def submit(
        self, ref: str, event: dict[str, Any], actor: User | None, at: datetime.datetime
    ) -> Dossier:
        if store().by_ref(ref) is not None:
            raise LineError(_("hồ sơ đã được nộp trước đó"), "duplicate")
        procedure = self.procedure(str(event.get("procedure") or ""))
        if procedure is None:
            raise LineError(_("không có thủ tục mã '%(code)s'") % {"code": event.get("procedure")})
        unit = self.unit(str(event.get("unit") or ""))
        if unit is None:
            raise LineError(_("không có đơn vị mã '%(code)s'") % {"code": event.get("unit")})
        case = None
        if event.get("case"):
            case = next((c for c in procedure_cases(procedure.pk) if c.code == event["case"]), None)
            if case is None:
                raise LineError(
                    _("thủ tục không có trường hợp '%(case)s'") % {"case": event["case"]}
                )
        raw: dict[str, Any] = event.get("applicant") or {}
        applicant = services.Applicant(
            name=str(raw.get("name") or ""), id_number=str(raw.get("id_number") or ""),
            kind=str(raw.get("kind") or "person"),
        )  # fmt: skip
        return services.dossier_submit(
            procedure=procedure, receiving_unit=unit, applicant=applicant,
            channel=str(event.get("channel") or "counter"), at=at, actor=actor, case=case, ref=ref,
        )  # fmt: skip

    def act(
        self,
        dossier: Dossier,
        action: str,
        event: dict[str, Any],
        actor: User | None,
        at: datetime.datetime,
    ) -> Dossier:
        reason = str(event.get("reason") or "")
        simple = {
            "receive": lambda: services.dossier_receive(dossier=dossier, actor=actor, at=at),
            "refuse_reception": lambda: services.dossier_refuse_reception(dossier=dossier, actor=actor, at=at, reason=reason),
            "request_supplement": lambda: services.dossier_request_supplement(dossier=dossier, actor=actor, at=at, reason=reason, items=event.get("items")),
            "submit_supplement": lambda: services.dossier_submit_supplement(dossier=dossier, actor=actor, at=at, note=reason),
            "return_result": lambda: services.dossier_return_result(dossier=dossier, actor=actor, at=at),
            "withdraw": lambda: services.dossier_withdraw(dossier=dossier, actor=actor, at=at, reason=reason),
            "apologize": lambda: services.dossier_apologize(dossier=dossier, actor=actor, at=at, reason=reason or _("Quá hạn giải quyết"), new_due=instant(event.get("new_due"))),
            "forward": lambda: self.forward(dossier, event, actor, at, reason),
            "request_payment": lambda: services.dossier_request_payment(dossier=dossier, actor=actor, at=at, amount_vnd=whole_number(event.get("amount_vnd")), reason=reason),
            "pay": lambda: services.dossier_pay(dossier=dossier, actor=actor, at=at, amount_vnd=whole_number(event.get("amount_vnd")), payment=payment_of(event)),
        }  # fmt: skip
        if action in simple:
            return simple[action]()
        if action == "assign":
            assignee = self.user(str(event.get("assignee") or ""))
            if assignee is None:
                raise LineError(
                    _("không có người được phân công '%(name)s'") % {"name": event.get("assignee")}
                )
            return services.dossier_assign(dossier=dossier, actor=actor, at=at, assignee=assignee)
        if action == "approve":
            return services.dossier_approve(
                dossier=advance_to_leader(dossier, at),
                actor=actor,
                at=at,
                note=reason,
                anywhere=True,
            )
        if action == "reject":
            return services.dossier_reject(
                dossier=advance_to_leader(dossier, at), actor=actor, at=at, reason=reason
            )
        if action == "complete":
            if dossier.status == Status.PROCESSED and dossier.decision == Decision.APPROVED:
                return dossier  # the approval already finished a result the one-stop returns
            if dossier.decision != Decision.APPROVED:
                dossier = services.dossier_approve(
                    dossier=advance_to_leader(dossier, at), actor=None, at=at, note=IMPORT_NOTE,
                    anywhere=True,
                )  # fmt: skip
            # The decision the importer inferred stands at the signing step; the legacy officer
            # who completed the result did not hold it, so the system records the completion.
            return services.dossier_complete(
                dossier=dossier, actor=None, at=at,
                note=reason or f"{IMPORT_NOTE} ({event.get('actor') or 'system'})",
            )  # fmt: skip
        raise LineError(_("thao tác không biết '%(action)s'") % {"action": action})

    def forward(
        self, dossier: Dossier, event: dict[str, Any], actor: User | None, at: datetime.datetime,
        reason: str,
    ) -> Dossier:  # fmt: skip
        """Legacy systems record a hand-over to another unit as one event: sent and taken."""
        to_unit = self.target_unit(event)
        if to_unit is None:
            return services.dossier_forward(dossier=dossier, actor=actor, at=at, note=reason)
        sent = services.dossier_transfer(
            dossier=dossier, actor=actor, at=at, to_unit=to_unit, note=reason
        )
        return services.dossier_accept_transfer(dossier=sent, actor=None, at=at)

    def target_unit(self, event: dict[str, Any]) -> Unit | None:
        if not event.get("to_unit"):
            return None
        unit = self.unit(str(event["to_unit"]))
        if unit is None:
            raise LineError(_("không có đơn vị mã '%(code)s'") % {"code": event["to_unit"]})
        return unit


def payment_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """How an imported payment was made: its 766 flag (DuocThanhToanTrucTuyen: 1 the national
    platform, 2 a local gateway) when it was online; nothing for cash."""
    given = event.get("payment")
    if not isinstance(given, dict):
        return None
    flag = given.get("flag")
    # An integer, not 1.0 or true: the payment row keeps integers only (and would read 1.0 as
    # cash while the event said online).
    if type(flag) is not int or flag not in (1, 2):
        raise LineError(_("Kênh thanh toán (payment.flag) phải là 1 hoặc 2."), "type")
    return {"method": "online", "flag": flag}


def whole_number(value: Any) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError) as error:
        raise LineError(_("số tiền không hợp lệ '%(value)s'") % {"value": value}, "type") from error
    if not 0 <= number <= MAX_AMOUNT:
        raise LineError(_("số tiền không hợp lệ '%(value)s'") % {"value": value}, "type")
    return number


def events_latest(dossier_id: int) -> Latest:
    """The latest time among the dossier's events in the database, and how many of each action
    were recorded then."""
    return events_latest_many([dossier_id]).get(dossier_id, (None, Counter()))


def events_latest_many(dossier_ids: list[int]) -> dict[int, Latest]:
    """``events_latest`` of many dossiers in one query (those without events left out)."""
    found: dict[int, Latest] = {}
    rows = DossierEvent.objects.filter(dossier_id__in=dossier_ids).values_list(
        "dossier_id", "at", "action"
    )
    for dossier_id, at, action in rows:
        latest, actions = found.get(dossier_id, (None, Counter()))
        if latest is None or at > latest:
            found[dossier_id] = (at, Counter([action]))
        elif at == latest:
            actions[action] += 1
    return found


def advance_to_leader(dossier: Dossier, at: datetime.datetime) -> Dossier:
    """Move the dossier, as the system, to the leader's step so a legacy decision can apply."""
    while True:
        step = services.step_at(dossier, dossier.current_step)
        if dossier.status == Status.PROCESSING and (step is None or step.role == "leader"):
            return dossier
        if dossier.status not in (Status.RECEIVED, Status.PROCESSING):
            return dossier
        try:
            dossier = services.dossier_forward(dossier=dossier, actor=None, at=at, note=IMPORT_NOTE)
        except DomainError:
            return dossier


def line_ref(event: dict[str, Any]) -> str:
    """The dossier a line is about, as every rule reads it (spaces around it do not count)."""
    return str(event.get("dossier") or "").strip()


def refusal(error: Exception) -> Reason:
    """What to print for a refused line: the rule's message, or what the database said."""
    if isinstance(error, DatabaseError):
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
        text = _("cơ sở dữ liệu không nhận dòng này (%(detail)s)") % {"detail": detail[:200]}
        return Reason(text, "database")
    if isinstance(error, LineError):
        return Reason(error, error.kind)
    if isinstance(error, CalendarRangeError):  # a time, or a deadline, beyond the known years
        text = _(
            "thời điểm hoặc thời hạn nằm ngoài lịch làm việc đã biết (năm %(first)s–%(last)s)"
        ) % {"first": SUPPORTED_YEARS[0], "last": SUPPORTED_YEARS[1]}
        return Reason(text, "type")
    if isinstance(error, DomainError):
        return Reason(error.message, "rule")
    log.error("import: unexpected error on a line", exc_info=error)
    text = _("lỗi không lường trước (%(error)s)") % {"error": type(error).__name__}
    return Reason(text, "unexpected")


def line_apply(replayer: Replayer, event: dict[str, Any]) -> Reason | None:
    """Apply one line in its own transaction (a refused line changes nothing, steps it implies
    included); the reason it was refused, or None. No line, whatever it holds, stops the run:
    an error the rules did not foresee refuses the line (kind ``unexpected``) and is logged."""
    for attempt in range(1, LINE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                replayer.apply(event)
        except Exception as error:  # every line is accounted for, none stops the run
            if attempt < LINE_ATTEMPTS and transient(error):
                continue
            return refusal(error)
        replayer.applied(event)
        return None
    raise AssertionError("unreachable")


LINE_ATTEMPTS = 3
# A deadlock or a serialization failure says nothing about the line: the other transaction
# (the web, another import process) is in the way, and the same line a moment later goes in.
TRANSIENT_STATES = {"40P01", "40001"}


def transient(error: Exception) -> bool:
    return sqlstate(error) in TRANSIENT_STATES


def blank(line: str | bytes | dict[str, Any]) -> bool:
    return isinstance(line, (str, bytes)) and not line.strip()


def events_replay(
    lines: Iterable[str | bytes | dict[str, Any]], *, trust_actors: bool = False
) -> Iterator[tuple[int, str, Reason | None]]:
    """(line number, dossier ref, rejection reason or None) for every non-empty line."""
    replayer = Replayer(trust_actors=trust_actors)
    for number, line in enumerate(lines, start=1):
        if blank(line):
            continue
        try:
            event = line_parse(line)
        except LineError as error:
            yield number, "", Reason(error, error.kind)
            continue
        yield number, line_ref(event), line_apply(replayer, event)


def on_time(dossier: Any, at: datetime.datetime) -> bool | None:
    """Decision 766 reading: finished within the statutory deadline (pauses excluded)."""
    due = dossier.statutory_due_at
    if due is None or dossier.status == Status.NOT_RECEIVED:
        return None
    if dossier.supplement_requests > 1:
        return False
    if dossier.finished_at is None:
        return False if at > due else None
    return dossier.finished_at <= due


@dataclass(frozen=True)
class Codes:
    """Procedure and unit codes by id, read once for a whole export."""

    procedures: dict[int, str]
    units: dict[int, str]


# The columns an export row needs, for exports that read rows rather than model instances.
EXPORT_FIELDS = (
    "ref", "code", "procedure_id", "status", "received_at", "due_at", "statutory_due_at",
    "finished_at", "returned_at", "supplement_requests", "apologies", "decision",
    "receiving_unit_id", "deciding_unit_id",
)  # fmt: skip


def iso_local(value: datetime.datetime | None) -> str | None:
    return value.astimezone(VIETNAM_OFFSET).isoformat() if value else None


def dossier_export_row(
    dossier: Any, at: datetime.datetime | None = None, codes: Codes | None = None
) -> dict[str, Any]:
    """The agreed export of a dossier: a ``Dossier``, or (with ``codes``) a row holding its
    ``EXPORT_FIELDS``."""
    if codes is None:
        procedure = dossier.procedure.code
        receiving, deciding = dossier.receiving_unit.code, dossier.deciding_unit.code
    else:
        procedure = codes.procedures[dossier.procedure_id]
        receiving = codes.units[dossier.receiving_unit_id]
        deciding = codes.units[dossier.deciding_unit_id]
    return {
        "ref": dossier.ref,
        "code": dossier.code,
        "procedure": procedure,
        "status": dossier.status,
        "national_status": NATIONAL_STATUS[dossier.status],
        "received_at": iso_local(dossier.received_at),
        "due_at": iso_local(dossier.due_at),
        "statutory_due_at": iso_local(dossier.statutory_due_at),
        "finished_at": iso_local(dossier.finished_at),
        "returned_at": iso_local(dossier.returned_at),
        "on_time": on_time(dossier, at or now()),
        "supplement_requests": dossier.supplement_requests,
        "apologies": dossier.apologies,
        "decision": dossier.decision or None,
        "receiving_unit": receiving,
        "deciding_unit": deciding,
    }

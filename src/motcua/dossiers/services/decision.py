"""Decision and return: the leader signs or refuses, the result is completed, apologised for
when late, handed over; or the applicant withdraws (Decree 61/2018 art. 19–20; Decree 118/2025
art. 21)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.constants import StepScope
from motcua.worktime.engine import CalendarRangeError

from .. import deadlines, steps
from ..constants import Action, Decision, PauseKind, Status, StepOutcome
from ..errors import ApologyNotAllowed, InvalidValue, MissingInput
from ..models import Dossier
from ..results import result_is_electronic
from ..store import store
from .kernel import Change, act, iso, require_reason
from .supplement import end_pause


def has_draft_result(dossier: Dossier) -> bool:
    return store().has_result_document(dossier)


def result_missing(dossier: Dossier) -> bool:
    """An electronic result is owed (``result_is_electronic``) and none is attached yet."""
    return result_is_electronic(dossier) and not has_draft_result(dossier)


RESULT_MISSING = _(
    "Hồ sơ nộp trực tuyến toàn trình được trả kết quả bản điện tử (Nghị định 45/2020): trước "
    "khi trả, đính kèm tệp kết quả ở mục “Giấy tờ”, loại “Kết quả giải quyết”. Văn bản phê "
    "duyệt đã ban hành không thay cho kết quả."
)


def decided(current: Dossier, *, at: datetime.datetime, decision: str, text: str) -> Change:
    """Signed: on to the step after the signing one. When that step belongs to the one-stop (or
    there is none), the result is ready now (national status 9)."""
    ahead = steps.after_decision(current)
    fields: dict[str, object] = {"decision": decision, "result_note": text}
    outcome = StepOutcome.DECIDED
    if ahead is None or ahead.scope == StepScope.RECEIVING or decision == Decision.REJECTED:
        fields["finished_at"] = at
        target = steps.return_step(current)
        return Change(
            Status.PROCESSED, fields, reason=text, outcome=outcome,
            to_step=target.order if target else None, leave_steps=target is None,
        )  # fmt: skip
    return Change(Status.PROCESSING, fields, reason=text, to_step=ahead.order, outcome=outcome)


def dossier_approve(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, note: str = "",
    expected_version: int | None = None, anywhere: bool = False,
) -> Dossier:  # fmt: skip
    """The leader signs the result (TT 01/2018 art. 8: at the signing step of the process).

    The decision needs its substance: a draft result attached to the dossier, or its text (the
    importer excepted: legacy systems kept neither).
    ``anywhere`` is for the importer only (legacy data has no steps): the decision is recorded
    where the dossier stands and the event says so.
    """

    def decide(current: Dossier) -> Change:
        text = (note or "").strip()
        if actor is not None and not anywhere and not text and not has_draft_result(current):
            raise MissingInput(
                _("Cần dự thảo kết quả đính kèm hoặc nội dung quyết định trước khi phê duyệt.")
            )
        if anywhere and actor is None:
            return Change(
                Status.PROCESSING, {"decision": Decision.APPROVED, "result_note": text},
                reason=text, payload={"outside_leader_step": True},
            )  # fmt: skip
        return decided(current, at=at, decision=Decision.APPROVED, text=text)

    return act(
        dossier, Action.APPROVE, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_reject(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Not eligible after appraisal: the refusal with its reasons is the result, signed by the
    leader within the time limit (Decree 61 art. 19(8); Phiếu từ chối giải quyết hồ sơ)."""
    reason = require_reason(reason, _("lý do không giải quyết"))
    return act(
        dossier, Action.REJECT, actor=actor, at=at, expected_version=expected_version,
        decide=lambda current: decided(current, at=at, decision=Decision.REJECTED, text=reason),
    )  # fmt: skip


def dossier_complete(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, note: str = "",
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """The signed result is issued; the one-stop hands it over (national status 9)."""

    def decide(current: Dossier) -> Change:
        target = steps.return_step(current)
        return Change(
            Status.PROCESSED, {"finished_at": at, "result_note": note or current.result_note},
            reason=note, to_step=target.order if target else None, leave_steps=target is None,
            outcome=StepOutcome.COMPLETED,
        )  # fmt: skip

    return act(
        dossier, Action.COMPLETE, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_return_result(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime,
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    def decide(current: Dossier) -> Change:
        if result_missing(current):
            raise MissingInput(RESULT_MISSING)
        return Change(
            Status.RETURNED, {"returned_at": at}, leave_steps=True, outcome=StepOutcome.COMPLETED
        )

    return act(
        dossier, Action.RETURN_RESULT, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_apologize(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str,
    new_due: datetime.datetime, expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """Late: apologise with a reason and one new working day, before the deadline (Decree 61
    art. 19(9); TT 01/2018 Mẫu 04). A second apology is refused."""
    reason = require_reason(reason, _("lý do xin lỗi, hẹn lại"))
    if new_due.tzinfo is None:
        raise InvalidValue(_("Ngày hẹn mới phải kèm múi giờ (giờ Hà Nội)."))

    def decide(current: Dossier) -> Change:
        try:
            working = deadlines.is_working_day(current, new_due)
        except (CalendarRangeError, OverflowError) as error:  # overflow: 9999-12-31 in UTC-14
            raise ApologyNotAllowed(_("Ngày hẹn mới nằm ngoài lịch làm việc đã biết.")) from error
        if not working:
            raise ApologyNotAllowed(_("Ngày hẹn mới phải là ngày làm việc."))
        assert current.due_at is not None  # guarded by the registry
        if new_due <= current.due_at:
            raise ApologyNotAllowed(_("Ngày hẹn mới phải sau ngày hẹn cũ."))
        return Change(
            current.status, {"due_at": new_due, "apologies": current.apologies + 1}, reason=reason,
            payload={"previous_due": iso(current.due_at), "new_due": iso(new_due)},
        )  # fmt: skip

    return act(
        dossier, Action.APOLOGIZE, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip


def dossier_withdraw(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, reason: str = "",
    expected_version: int | None = None,
) -> Dossier:  # fmt: skip
    """The applicant asks to stop before a decision (Decree 118 art. 21; TT 03/2025 Mẫu 05)."""

    def decide(current: Dossier) -> Change:
        for kind in PauseKind.values:
            end_pause(current, kind, at)
        return Change(
            Status.STOPPED, {"finished_at": at, "status_before_pause": "", "pending_unit": None},
            reason=reason or str(_("Người nộp yêu cầu rút hồ sơ")), leave_steps=True,
            outcome=StepOutcome.STOPPED,
        )  # fmt: skip

    return act(
        dossier, Action.WITHDRAW, actor=actor, at=at, expected_version=expected_version,
        decide=decide,
    )  # fmt: skip

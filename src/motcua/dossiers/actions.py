"""The action registry: every action on a dossier, declared once.

Each ``ActionSpec`` says from which states the action may start, who may take it (a capability
in one of the dossier's units, the holder of the current process step, the consulted unit, the
applicant), what it takes as input, the one-stop rules that refuse it (with their legal article),
the form it issues and the event it publishes. The services check it, the officer page offers
and renders it, the API validates with it, the importer replays through it, ``motcua actions``
prints it as documentation, and the transition-matrix test checks it against a table written
out by hand. Nothing else lists actions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.constants import Capability as C
from motcua.catalog import selectors as catalog
from motcua.catalog.constants import StepScope
from motcua.common.errors import DomainError, worded
from motcua.common.held_rows import rows_held

from . import deadlines, steps
from .action_inputs import (
    AMOUNT,
    ANSWER,
    ASSIGNEE,
    CONFIRM,
    CONSULTED_UNIT,
    NOTE,
    QUESTION,
    REASON,
    TRANSFER_TO,
    Input,
)  # fmt: skip
from .constants import WAITING_FOR_APPLICANT, Decision, DocumentKind, Status, catalogue_method
from .constants import Action as A
from .errors import (
    ApologyNotAllowed,
    SupplementAlreadyRequested,
    SupplementWindowClosed,
    TransitionNotAllowed,
)
from .models import Dossier
from .store import store

OPEN = frozenset({Status.RECEIVED, Status.PROCESSING})
PAUSED = frozenset(WAITING_FOR_APPLICANT)
BEFORE_DECISION = frozenset({Status.NEW, *OPEN, *PAUSED})


# --------------------------------------------------------------------------------- guards
@dataclass(frozen=True)
class Guard:
    """A one-stop rule that refuses the action whatever the officer types."""

    code: str
    refuses: Callable[[Dossier, datetime.datetime], bool]
    message: str | Promise
    article: str = ""
    error: Callable[[Any], DomainError] = TransitionNotAllowed

    def check(self, dossier: Dossier, at: datetime.datetime) -> None:
        if self.refuses(dossier, at):
            raise self.error(self.message)


def _open_consultations(dossier: Dossier) -> bool:
    cached = rows_held(dossier, "consultations")
    if cached is not None:
        return any(c.answered_at is None for c in cached)
    return bool(store().open_consultation_unit_ids(dossier))


def _supplement_window_closed(dossier: Dossier, at: datetime.datetime) -> bool:
    return dossier.received_at is not None and at > deadlines.supplement_window_end(dossier)


def _no_forward_target(dossier: Dossier, at: datetime.datetime) -> bool:
    here, ahead = steps.current(dossier), steps.following(dossier)
    return (
        here is None
        or steps.is_signing(here)
        or ahead is None
        or ahead.scope != StepScope.DECIDING
        or here.scope != StepScope.DECIDING
    )


def _not_at_signing(dossier: Dossier, at: datetime.datetime) -> bool:
    return bool(steps.steps_of(dossier)) and not steps.is_signing(steps.current(dossier))


def _not_at_result_step(dossier: Dossier, at: datetime.datetime) -> bool:
    here = steps.current(dossier)
    return here is not None and here.scope != StepScope.DECIDING


NO_DECISION = Guard(
    "no_decision", lambda d, at: bool(d.decision), _("Hồ sơ đã có quyết định giải quyết."),
    "NĐ 118/2025 Điều 21",
)  # fmt: skip
NOT_PENDING = Guard(
    "no_pending_transfer", lambda d, at: d.pending_unit_id is not None,
    _("Hồ sơ đang chờ đơn vị khác nhận; hãy đợi đơn vị đó nhận hoặc trả lại."),
    "NĐ 61/2018 Điều 18",
)  # fmt: skip
PAID_ONCE_BEFORE_RECEPTION = Guard(
    "paid_once_before_reception", lambda d, at: d.status == Status.NEW and d.fees_paid_vnd > 0,
    _("Phí, lệ phí của hồ sơ đã được thanh toán khi nộp; không thu lần thứ hai."),
    "NĐ 61/2018 Điều 22",
)  # fmt: skip
FREE_AT_SUBMISSION = Guard(
    "free_at_submission",
    lambda d, at: d.status == Status.NEW
    and catalog.stated_free(d.procedure_id, catalogue_method(d.channel)),
    _("Thủ tục được miễn phí, lệ phí theo danh mục thủ tục; không thu khi nộp hồ sơ. Khoản phí "
      "khác (nếu có) được yêu cầu sau khi tiếp nhận."),
    "NĐ 61/2018 Điều 22",
)  # fmt: skip
SUPPLEMENT_ONCE = Guard(
    "supplement_once", lambda d, at: d.supplement_requests >= 1,
    SupplementAlreadyRequested().message, "NĐ 61/2018 Điều 15 khoản 3; NĐ 118/2025 Điều 11",
    lambda message: SupplementAlreadyRequested(),
)  # fmt: skip
SUPPLEMENT_WINDOW = Guard(
    "supplement_window", _supplement_window_closed,
    _("Đã quá thời hạn yêu cầu bổ sung kể từ khi tiếp nhận."), "NĐ 61/2018 Điều 19 khoản 2",
    lambda message: SupplementWindowClosed(deadlines.supplement_window_days()),
)  # fmt: skip
APOLOGY_ONCE = Guard(
    "apology_once", lambda d, at: d.apologies >= 1,
    _("Hồ sơ đã được hẹn lại một lần; không được hẹn lại lần thứ hai."),
    "NĐ 61/2018 Điều 19 khoản 9", ApologyNotAllowed,
)  # fmt: skip
APOLOGY_IN_TIME = Guard(
    "apology_before_due", lambda d, at: d.due_at is None or at >= d.due_at,
    _("Chỉ được xin lỗi, hẹn lại trước khi hết hạn giải quyết."), "NĐ 61/2018 Điều 19 khoản 9",
    ApologyNotAllowed,
)  # fmt: skip
HAS_PROCESS = Guard(
    "has_process", lambda d, at: not steps.steps_of(d),
    _("Hồ sơ không có quy trình nội bộ để chuyển bước."), "TT 01/2018 Điều 8",
)  # fmt: skip
FORWARD_TARGET = Guard(
    "next_step_exists", _no_forward_target,
    _("Không chuyển bước được: bước hiện tại là bước ký duyệt (hãy phê duyệt hoặc từ chối) "
      "hoặc không còn bước xử lý nào sau nó."),
    "TT 01/2018 Điều 8",
)  # fmt: skip
PREVIOUS_STEP = Guard(
    "previous_step_exists", lambda d, at: steps.preceding_deciding(d) is None,
    _("Không có bước xử lý nào trước bước này để trả lại."), "TT 01/2018 Điều 8",
)  # fmt: skip
AT_SIGNING = Guard(
    "at_signing_step", _not_at_signing,
    _("Chỉ quyết định được ở bước lãnh đạo ký; hãy chuyển hồ sơ tới bước đó."),
    "TT 01/2018 Điều 8; NĐ 61/2018 Điều 19 khoản 1",
)  # fmt: skip
CONSULTATIONS_ANSWERED = Guard(
    "consultations_answered", lambda d, at: _open_consultations(d),
    _("Còn ý kiến của đơn vị phối hợp chưa được trả lời."), "NĐ 61/2018 Điều 19 khoản 3",
)  # fmt: skip
APPROVED = Guard(
    "approved", lambda d, at: d.decision != Decision.APPROVED,
    _("Hồ sơ chưa được lãnh đạo phê duyệt."), "NĐ 61/2018 Điều 19 khoản 1",
)  # fmt: skip
AT_RESULT_STEP = Guard(
    "at_result_step", _not_at_result_step,
    _("Kết quả chỉ được hoàn thiện ở bước sau bước ký, tại đơn vị giải quyết."),
    "TT 01/2018 Điều 8",
)  # fmt: skip
PENDING_TRANSFER = Guard(
    "pending_transfer", lambda d, at: d.pending_unit_id is None,
    _("Không có hồ sơ chuyển đến đang chờ nhận."), "NĐ 61/2018 Điều 18",
)  # fmt: skip
HAS_TRANSFER = Guard(
    "has_transfer", lambda d, at: d.pending_unit_id is None and d.previous_unit_id is None,
    _("Hồ sơ không được chuyển từ đơn vị khác."), "NĐ 61/2018 Điều 18",
)  # fmt: skip


# --------------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class ActionSpec:
    """Everything the system knows about one action (see the module docstring)."""

    action: A
    from_states: frozenset[str]
    # (which unit of the dossier, capability needed there); any one pair suffices. Unit names:
    # receiving, deciding, processing (the deciding unit once the dossier is received),
    # counter (the receiving unit while it also decides), pending (a
    # transfer waiting), taken (the deciding unit once no
    # transfer from it waits), consulted (an open consultation), step (the unit and capability
    # of the current process step).
    by: tuple[tuple[str, str], ...]
    article: str
    applicant: bool = False  # the applicant may take it on their own dossier
    guards: tuple[Guard, ...] = ()
    inputs: tuple[Input, ...] = ()
    issues: str = ""  # the DocumentKind it issues
    event: str = ""  # published as dossier.<event>
    confirm: bool = False  # irreversible: the page asks for confirmation
    offered: bool = True  # listed among the officer's actions on the dossier page
    public: bool = True  # shown in the applicant's history (no internal work: notes, questions)
    # The actor signs what it issues for the deciding unit: a deputy needs a delegation in force
    # and the document carries the signature block (Decree 30/2020 art. 13; ``authority``).
    signs: bool = False
    summary: str | Promise = ""
    # How the applicant's history says it, in plain words; {unit}, {step}, {reason} are filled in.
    citizen: str | Promise = ""

    @property
    def label(self) -> str:
        return str(self.action.label)

    @property
    def event_name(self) -> str:
        return f"dossier.{self.event or self.action.value}"

    def input(self, name: str) -> Input | None:
        return next((i for i in self.inputs if i.name == name), None)


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        A.SUBMIT,
        frozenset(),
        (),
        "NĐ 61/2018 Điều 16",
        applicant=True,
        offered=False,
        citizen=_("Bạn nộp hồ sơ"),
        summary=_("Hồ sơ được nộp (trực tuyến, tại quầy, bưu chính, Cổng DVC quốc gia)."),
    ),
    ActionSpec(
        A.RECEIVE,
        frozenset({Status.NEW}),
        (("receiving", C.RECEIVE_DOSSIER),),
        "NĐ 61/2018 Điều 17; TT 01/2018 Mẫu 01",
        issues=DocumentKind.RECEIPT,
        event="received",
        citizen=_("Hồ sơ được tiếp nhận"),
        summary=_("Cấp mã hồ sơ, ngày hẹn trả và Giấy tiếp nhận; hồ sơ sang bước thẩm định."),
    ),
    ActionSpec(
        A.REFUSE_RECEPTION,
        frozenset({Status.NEW}),
        (("receiving", C.RECEIVE_DOSSIER),),
        "NĐ 61/2018 Điều 17; TT 01/2018 Mẫu 03",
        inputs=(REASON, CONFIRM),
        issues=DocumentKind.REFUSAL,
        confirm=True,
        citizen=_("Hồ sơ không được tiếp nhận: {reason}"),
        summary=_("Không tiếp nhận hồ sơ; Phiếu từ chối nêu rõ lý do."),
    ),
    ActionSpec(
        A.REQUEST_SUPPLEMENT,
        frozenset({Status.NEW, *OPEN}),
        # At intake the one-stop checks the dossier and asks for what is missing (Art. 15,
        # Mẫu 02 with no code issued); the deciding unit asks after appraisal (Art. 19).
        (("receiving", C.RECEIVE_DOSSIER), ("processing", C.PROCESS_DOSSIER)),
        "NĐ 61/2018 Điều 15, 19; NĐ 118/2025 Điều 11; TT 01/2018 Mẫu 02",
        guards=(SUPPLEMENT_ONCE, NO_DECISION, NOT_PENDING, SUPPLEMENT_WINDOW),
        inputs=(
            Input(
                "items",
                "lines",
                _("Liệt kê đầy đủ giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"),
                required=True,
                missing=_("Cần liệt kê giấy tờ, nội dung cần bổ sung."),
                hint=_("Chỉ được yêu cầu bổ sung một lần: hãy nêu đủ mọi thứ còn thiếu."),
            ),
        ),
        issues=DocumentKind.SUPPLEMENT_REQUEST,
        event="supplement_requested",
        citizen=_("Cơ quan yêu cầu bổ sung: {reason}"),
        summary=_("Yêu cầu bổ sung một lần, đủ mọi thứ còn thiếu; thời gian giải quyết dừng lại."),
    ),
    ActionSpec(
        A.SUBMIT_SUPPLEMENT,
        frozenset({Status.SUPPLEMENT_REQUESTED}),
        (("receiving", C.RECEIVE_DOSSIER),),
        "NĐ 61/2018 Điều 19 khoản 2",
        applicant=True,
        inputs=(
            Input("received", "items", _("Giấy tờ đã nhận"), hint=_("Đánh dấu từng mục đã nhận.")),
            Input(
                "accept_incomplete",
                "check",
                _("Tiếp tục giải quyết dù còn thiếu các mục chưa đánh dấu"),
            ),
            NOTE,
        ),
        event="supplement_submitted",
        citizen=_("Cơ quan nhận giấy tờ bổ sung"),
        summary=_("Nhận phần bổ sung, từng mục một; đủ thì thời gian giải quyết chạy lại."),
    ),
    ActionSpec(
        A.ASSIGN,
        OPEN,
        (("deciding", C.ASSIGN_DOSSIER),),
        "NĐ 61/2018 Điều 19 khoản 1",
        guards=(NO_DECISION, NOT_PENDING),
        inputs=(ASSIGNEE,),
        public=False,
        summary=_("Phân công chuyên viên thẩm định."),
    ),
    ActionSpec(
        A.FORWARD,
        OPEN,
        (("step", ""),),
        "TT 01/2018 Điều 8",
        guards=(HAS_PROCESS, NO_DECISION, NOT_PENDING, FORWARD_TARGET, CONSULTATIONS_ANSWERED),
        inputs=(NOTE,),
        event="step_changed",
        citizen=_("Hồ sơ đang được giải quyết: {step}"),
        summary=_("Hoàn thành bước hiện tại, chuyển sang bước tiếp theo của quy trình."),
    ),
    ActionSpec(
        A.RETURN_STEP,
        OPEN,
        (("step", ""),),
        "TT 01/2018 Điều 8",
        guards=(HAS_PROCESS, NO_DECISION, NOT_PENDING, PREVIOUS_STEP),
        inputs=(REASON,),
        event="step_changed",
        public=False,
        summary=_("Trả hồ sơ về bước xử lý trước, kèm lý do."),
    ),
    ActionSpec(
        A.TRANSFER,
        OPEN,
        (("counter", C.RECEIVE_DOSSIER), ("deciding", C.PROCESS_DOSSIER)),
        "NĐ 61/2018 Điều 18, 19 khoản 4",
        guards=(NO_DECISION, NOT_PENDING),
        inputs=(
            TRANSFER_TO,
            NOTE,
        ),
        event="transferred",
        citizen=_("Hồ sơ được chuyển tới {unit} để giải quyết"),
        summary=_("Chuyển hồ sơ tới đơn vị có thẩm quyền mà quy trình hoặc danh mục thủ tục nêu."),
    ),
    ActionSpec(
        A.ACCEPT_TRANSFER,
        OPEN,
        (("pending", C.RECEIVE_DOSSIER), ("pending", C.PROCESS_DOSSIER)),
        "NĐ 61/2018 Điều 18",
        guards=(PENDING_TRANSFER,),
        event="transfer_accepted",
        citizen=_("{unit} nhận hồ sơ để giải quyết"),
        summary=_("Nhận hồ sơ đơn vị khác chuyển đến; đơn vị mình trở thành đơn vị giải quyết."),
    ),
    ActionSpec(
        A.RETURN_TRANSFER,
        OPEN,
        (
            ("pending", C.RECEIVE_DOSSIER),
            ("pending", C.PROCESS_DOSSIER),
            ("taken", C.PROCESS_DOSSIER),
        ),
        "NĐ 61/2018 Điều 18",
        guards=(HAS_TRANSFER, NO_DECISION),
        inputs=(REASON,),
        event="transfer_returned",
        public=False,
        summary=_("Trả hồ sơ về đơn vị đã chuyển đến (không thuộc thẩm quyền), kèm lý do."),
    ),
    ActionSpec(
        A.CONSULT,
        OPEN,
        (("deciding", C.PROCESS_DOSSIER),),
        "NĐ 61/2018 Điều 19 khoản 3",
        guards=(NO_DECISION, NOT_PENDING),
        inputs=(
            CONSULTED_UNIT,
            QUESTION,
            Input(
                "working_days",
                "int",
                _("Thời hạn trả lời (ngày làm việc)"),
                hint=_("Mặc định 3 ngày làm việc."),
            ),
        ),
        event="consultation_requested",
        public=False,
        summary=_(
            "Hỏi ý kiến đơn vị khác, có thời hạn; đơn vị đó thấy yêu cầu trong danh sách của mình."
        ),
    ),
    ActionSpec(
        A.ANSWER_CONSULTATION,
        frozenset({*OPEN, *PAUSED}),
        (("consulted", C.PROCESS_DOSSIER),),
        "NĐ 61/2018 Điều 19 khoản 3",
        inputs=(
            Input("consultation", "consultation", _("Yêu cầu lấy ý kiến")),
            ANSWER,
            Input("document", "file", _("Văn bản trả lời (PDF, không bắt buộc)")),
        ),
        event="consultation_answered",
        public=False,
        summary=_("Đơn vị được hỏi trả lời; trả lời muộn được ghi nhận."),
    ),
    ActionSpec(
        A.REQUEST_PAYMENT,
        frozenset({Status.PROCESSING}),
        (("deciding", C.PROCESS_DOSSIER),),
        "NĐ 61/2018 Điều 22",
        guards=(NO_DECISION, NOT_PENDING),
        inputs=(AMOUNT, NOTE),
        event="payment_requested",
        citizen=_("Cơ quan yêu cầu nộp phí, lệ phí"),
        summary=_("Yêu cầu thực hiện nghĩa vụ tài chính; thời gian dừng lại."),
    ),
    ActionSpec(
        A.PAY,
        # Also before reception: the applicant pays the online fee with the submission.
        frozenset({Status.AWAITING_PAYMENT, Status.NEW}),
        (("receiving", C.RECEIVE_DOSSIER),),
        "NĐ 61/2018 Điều 22",
        guards=(PAID_ONCE_BEFORE_RECEPTION, FREE_AT_SUBMISSION),
        applicant=True,
        inputs=(AMOUNT,),
        event="paid",
        citizen=_("Đã nộp phí, lệ phí"),
        summary=_("Ghi nhận đã nộp phí, lệ phí; thời gian giải quyết chạy lại."),
    ),
    ActionSpec(
        A.APPROVE,
        OPEN,
        (("deciding", C.APPROVE_DOSSIER),),
        "NĐ 61/2018 Điều 19 khoản 1; TT 01/2018 Điều 8",
        guards=(NO_DECISION, NOT_PENDING, AT_SIGNING, CONSULTATIONS_ANSWERED),
        inputs=(
            Input(
                "reason",
                "text",
                _("Nội dung kết quả, quyết định"),
                hint=_("Bắt buộc khi chưa có dự thảo kết quả đính kèm."),
            ),
        ),
        issues=DocumentKind.DECISION,
        event="approved",
        signs=True,
        citizen=_("Lãnh đạo đã ký duyệt kết quả"),
        summary=_("Lãnh đạo ký duyệt kết quả (cần dự thảo kết quả hoặc nội dung quyết định)."),
    ),
    ActionSpec(
        A.REJECT,
        OPEN,
        (("deciding", C.APPROVE_DOSSIER),),
        "NĐ 61/2018 Điều 19 khoản 8; TT 01/2018 Mẫu 03",
        guards=(NO_DECISION, NOT_PENDING, AT_SIGNING),
        inputs=(REASON, CONFIRM),
        issues=DocumentKind.REJECTION,
        event="rejected",
        confirm=True,
        signs=True,
        citizen=_("Hồ sơ không được giải quyết: {reason}"),
        summary=_(
            "Không giải quyết sau thẩm định; Phiếu từ chối giải quyết nêu rõ lý do là kết quả."
        ),
    ),
    ActionSpec(
        A.COMPLETE,
        frozenset({Status.PROCESSING}),
        (("step", ""),),
        "NĐ 61/2018 Điều 19",
        guards=(APPROVED, AT_RESULT_STEP),
        inputs=(NOTE,),
        event="completed",
        citizen=_("Kết quả đã sẵn sàng"),
        summary=_("Hoàn thiện kết quả đã ký, chuyển bộ phận một cửa trả."),
    ),
    ActionSpec(
        A.APOLOGIZE,
        frozenset({*OPEN, *PAUSED}),
        (("deciding", C.APPROVE_DOSSIER),),
        "NĐ 61/2018 Điều 19 khoản 9; TT 01/2018 Mẫu 04",
        guards=(APOLOGY_ONCE, APOLOGY_IN_TIME),
        inputs=(
            REASON,
            Input(
                "new_due",
                "date",
                _("Ngày hẹn mới (dd/mm/yyyy)"),
                required=True,
                missing=_("Cần chọn ngày hẹn mới."),
                hint=_("Chỉ được hẹn lại một lần."),
            ),
        ),
        issues=DocumentKind.APOLOGY,
        event="apologized",
        signs=True,
        citizen=_("Cơ quan xin lỗi và hẹn lại ngày trả: {reason}"),
        summary=_("Xin lỗi và hẹn lại ngày trả một lần, trước khi hết hạn."),
    ),
    ActionSpec(
        A.RETURN_RESULT,
        frozenset({Status.PROCESSED}),
        (("receiving", C.RETURN_RESULT),),
        "NĐ 61/2018 Điều 20",
        event="result_returned",
        citizen=_("Đã trả kết quả"),
        summary=_("Trả kết quả cho người nộp (tại quầy, bưu chính hoặc điện tử)."),
    ),
    ActionSpec(
        A.WITHDRAW,
        BEFORE_DECISION,
        (("receiving", C.RECEIVE_DOSSIER),),
        "NĐ 118/2025 Điều 21; TT 03/2025 Mẫu 05",
        applicant=True,
        guards=(NO_DECISION,),
        inputs=(NOTE, CONFIRM),
        issues=DocumentKind.STOP,
        event="withdrawn",
        confirm=True,
        citizen=_("Dừng giải quyết theo yêu cầu của bạn"),
        summary=_("Người nộp rút hồ sơ trước khi có quyết định; Thông báo dừng giải quyết."),
    ),
    ActionSpec(
        A.ATTACH,
        frozenset({*BEFORE_DECISION, Status.PROCESSED}),
        (("receiving", C.RECEIVE_DOSSIER), ("deciding", C.PROCESS_DOSSIER)),
        "NĐ 61/2018 Điều 17 khoản 1; TT 01/2023 Điều 8",
        applicant=True,
        offered=False,
        event="document_attached",
        public=False,
        summary=_("Đính kèm giấy tờ (số hóa, bổ sung, dự thảo hoặc kết quả)."),
    ),
)

REGISTRY: dict[str, ActionSpec] = {spec.action.value: spec for spec in SPECS}


def spec_for(action: str) -> ActionSpec:
    spec = REGISTRY.get(action)
    if spec is None:
        raise TransitionNotAllowed(worded(_("Không có thao tác “%(action)s”."), {"action": action}))
    return spec


def state_allows(spec: ActionSpec, dossier: Dossier) -> bool:
    return dossier.status in spec.from_states


def first_refusing_guard(spec: ActionSpec, dossier: Dossier, at: datetime.datetime) -> Guard | None:
    return next((g for g in spec.guards if g.refuses(dossier, at)), None)


def check_state_and_guards(spec: ActionSpec, dossier: Dossier, at: datetime.datetime) -> None:
    """Refuse with the clearest reason: a "once" rule first, then the state, then the others."""
    for guard in spec.guards:
        if guard.code in ("supplement_once", "apology_once"):
            guard.check(dossier, at)
    if not state_allows(spec, dossier):
        raise TransitionNotAllowed(
            worded(
                _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”."),
                {"action": spec.action.label, "status": Status(dossier.status).label},
            )
        )
    for guard in spec.guards:
        guard.check(dossier, at)


def required_inputs(spec: ActionSpec) -> list[str]:
    return [i.name for i in spec.inputs if i.required]


PUBLIC_ACTIONS = frozenset(spec.action.value for spec in SPECS if spec.public)

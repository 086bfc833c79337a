"""A dossier's state in the plain words a citizen reads (UX.md: status in human words)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.bundles.models import Bundle
from motcua.dossiers.constants import Decision, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.results import result_is_electronic
from motcua.worktime.engine import VIETNAM_OFFSET


def day(value: object) -> str:
    return value.strftime("%d/%m/%Y") if value else ""  # type: ignore[attr-defined]


def citizen_status(dossier: Dossier) -> str:
    """Only the dossier's own status is worded (the public lookup asks on every request)."""
    status = Status(dossier.status)
    if status in (Status.RECEIVED, Status.PROCESSING):
        local_due = dossier.due_at.astimezone(VIETNAM_OFFSET) if dossier.due_at else None
        if status == Status.RECEIVED:
            return _("Đã tiếp nhận — hẹn trả ngày %(date)s") % {"date": day(local_due)}
        return _("Đang giải quyết tại %(unit)s — hẹn trả ngày %(date)s") % {
            "unit": dossier.deciding_unit.name, "date": day(local_due),
        }  # fmt: skip
    if status == Status.PROCESSED:
        return processed_words(dossier)
    return str(FIXED_WORDS[status])


FIXED_WORDS = {
    Status.NEW: gettext_lazy("Đã nộp, đang chờ tiếp nhận"),
    Status.SUPPLEMENT_REQUESTED: gettext_lazy("Đang chờ bạn bổ sung giấy tờ"),
    Status.AWAITING_PAYMENT: gettext_lazy("Đang chờ bạn nộp phí, lệ phí"),
    Status.NOT_RECEIVED: gettext_lazy("Không được tiếp nhận"),
    Status.STOPPED: gettext_lazy("Đã dừng giải quyết"),
    Status.RETURNED: gettext_lazy("Đã trả kết quả"),
}


def processed_words(dossier: Dossier) -> str:
    if dossier.decision != Decision.APPROVED:
        return _("Đã có trả lời: không giải quyết (xem lý do)")
    if result_is_electronic(dossier):
        return _("Đã được giải quyết — cơ quan đang gửi kết quả điện tử cho bạn")
    return _("Đã giải quyết xong — mời bạn nhận kết quả")


def next_step(dossier: Dossier, *, has_results: bool = False) -> str:
    """What the citizen does next, or that there is nothing to do but wait (and until when)."""
    local_due = dossier.due_at.astimezone(VIETNAM_OFFSET) if dossier.due_at else None
    unit = dossier.receiving_unit.name
    status = Status(dossier.status)
    if status == Status.NEW:
        # Not "nothing more to do": a fee at submission may still be owed (the payment panel
        # below says so; a declined payment must not sit under "nothing to do").
        return _("Hồ sơ đã gửi: %(unit)s xem xét tiếp nhận, rồi báo mã hồ sơ và ngày hẹn trả.") % {
            "unit": unit
        }
    if status in (Status.RECEIVED, Status.PROCESSING):
        return _("Bạn không phải làm gì thêm; kết quả hẹn trả ngày %(date)s.") % {
            "date": day(local_due)
        }
    if status == Status.SUPPLEMENT_REQUESTED:
        return _(
            "Gửi các giấy tờ cơ quan yêu cầu bổ sung dưới đây; thời hạn tạm dừng đến khi bạn gửi."
        )
    if status == Status.AWAITING_PAYMENT:
        return _(
            "Nộp phí, lệ phí theo hướng dẫn của %(unit)s; hồ sơ được giải quyết tiếp khi nhận được."
        ) % {"unit": unit}
    if status == Status.PROCESSED and dossier.decision == Decision.APPROVED:
        if result_is_electronic(dossier):
            return _("Bạn không phải làm gì thêm: kết quả điện tử sẽ có ở đây.")
        return _("Mời bạn đến %(unit)s nhận kết quả.") % {"unit": unit}
    if status == Status.RETURNED:
        return _("Tải kết quả về ở ngay dưới đây.") if has_results else _("Hồ sơ đã xong.")
    return ""


def citizen_bundles(user: object) -> list[Bundle]:
    """The citizen's linked bundles, newest first: those the account submitted, and those one
    of whose member dossiers it proved it applied for."""
    from .services import citizen_dossiers

    mine = Dossier.objects.filter(citizen_dossiers(user)).values("pk")
    rows = Bundle.objects.filter(
        Q(owner_id=getattr(user, "pk", None)) | Q(members__dossier__in=mine)
    ).distinct()
    return list(rows.order_by("-submitted_at")[:50])

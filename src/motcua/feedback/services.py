"""Writes of citizen feedback (phản ánh, kiến nghị): sending it, and the responsible unit's
handling within the deadlines of Decision 766/QĐ-TTg indicators 5.1–5.3 (DOMAIN.md §3).

Every change runs in one transaction with the feedback row locked, and writes its sealed event
(``record.event_add``), which publishes ``feedback.<action>`` on the event bus.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.models import User
from motcua.accounts.permissions import roles_in_force
from motcua.catalog.models import Procedure
from motcua.common.clock import VIETNAM
from motcua.common.errors import DomainError, NotAllowed
from motcua.common.files import checked_upload
from motcua.common.text import fold_words, without_controls
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import is_applicant
from motcua.organizations.models import Unit

from . import deadlines
from .constants import (
    MAX_ATTACHMENTS,
    OFFICER_ACTIONS,
    TEXT_MAX,
    TITLE_MAX,
    FeedbackAction,
    FeedbackChannel,
    FeedbackStatus,
    Subject,
)
from .models import Feedback, FeedbackAttachment
from .permissions import counter_unit_ids, handling_unit_ids
from .record import event_add
from .redaction import redact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sender:
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Target:
    """What the feedback is about, as typed: a procedure code, a dossier (ref or code), an
    officer's user name; ``unit_code`` names the unit when the procedure has no single one."""

    subject: str
    procedure: str = ""
    dossier: str = ""
    officer: str = ""
    unit_code: str = ""


@dataclass(frozen=True)
class Resolved:
    unit: Unit
    procedure: Procedure | None = None
    dossier: Dossier | None = None
    officer: User | None = None


class FeedbackNotFound(DomainError):
    pass


def text_clean(value: str, what: str | Promise, limit: int = TEXT_MAX) -> str:
    text = without_controls(value or "").strip()
    if not text:
        raise DomainError(_("Hãy ghi %(what)s.") % {"what": what})
    if len(text) > limit:
        raise DomainError(
            _("%(what)s dài tối đa %(max)s ký tự; hãy rút gọn lại.") % {"what": what, "max": limit}
        )
    return text


def procedure_find(code: str) -> Procedure:
    procedure = (
        Procedure.objects.filter(code=(code or "").strip())
        .order_by("-in_hanoi_set", "pk")
        .select_related("deciding_unit")
        .first()
    )
    if procedure is None:
        raise DomainError(_("Không có thủ tục mã “%(code)s”. Mã thủ tục có dạng 1.001193.") % {
            "code": code})  # fmt: skip
    return procedure


def dossier_find(text: str) -> Dossier | None:
    key = (text or "").strip()
    if not key:
        return None
    return (
        Dossier.objects.filter(ref=key).select_related("deciding_unit", "procedure").first()
        or Dossier.objects.filter(code=key).select_related("deciding_unit", "procedure").first()
    )


def officer_of_unit(username: str, unit: Unit, at: datetime.datetime) -> User | None:
    """The officer of ``unit`` with this user name (a role other than supervisor or
    administrator in force that day), else None."""
    officer = User.objects.filter(username=(username or "").strip()).first()
    if officer is None:
        return None
    day = at.astimezone(VIETNAM).date()
    serving = roles_in_force(officer.pk, day).exclude(
        role__in=[OfficerRoleName.SUPERVISOR, OfficerRoleName.ADMINISTRATOR]
    )
    return officer if serving.filter(unit=unit).exists() else None


def target_resolve(target: Target, *, sender: User | None, at: datetime.datetime) -> Resolved:
    """The responsible unit: the dossier's deciding unit, the procedure's competent unit (or the
    one named, when the procedure is decided by every ward), the officer's unit."""
    if target.subject == Subject.DOSSIER:
        dossier = dossier_find(target.dossier)
        own = dossier is not None and (sender is None or is_applicant(dossier, sender))
        if dossier is None or not own:
            raise DomainError(_("Không tìm thấy hồ sơ này trong các hồ sơ của bạn."))
        return Resolved(dossier.deciding_unit, procedure=dossier.procedure, dossier=dossier)
    if target.subject == Subject.PROCEDURE:
        procedure = procedure_find(target.procedure)
        unit = unit_named(target.unit_code) or procedure.deciding_unit
        if unit is None:
            raise DomainError(_(
                "Thủ tục này do nhiều đơn vị giải quyết: hãy chọn đơn vị bạn muốn phản ánh."))  # fmt: skip
        return Resolved(unit, procedure=procedure)
    if target.subject == Subject.OFFICER:
        # The unit is the sender's to name, and a name that is no officer's there is accepted all
        # the same (the unit reads it): the answer never tells whether an account exists.
        unit = unit_named(target.unit_code)
        if unit is None:
            raise DomainError(_("Hãy chọn đơn vị nơi cán bộ làm việc."))
        return Resolved(unit, officer=officer_of_unit(target.officer, unit, at))
    raise DomainError(_("Hãy chọn bạn phản ánh về thủ tục, hồ sơ hay cán bộ."))


def unit_named(code: str) -> Unit | None:
    code = (code or "").strip()
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise DomainError(_("Không có đơn vị này. Hãy chọn lại đơn vị trong danh sách."))
    return unit


def uploads_check(uploads: Sequence[UploadedFile]) -> list[tuple[str, object]]:
    if len(uploads) > MAX_ATTACHMENTS:
        raise DomainError(_("Gửi tối đa %(max)s tệp đính kèm.") % {"max": MAX_ATTACHMENTS})
    return [(checked.name, checked) for checked in map(checked_upload, uploads)]


def attachments_save(
    feedback: Feedback, checked: list[tuple[str, object]], *, by: User | None,
    at: datetime.datetime,
) -> list[str]:  # fmt: skip
    names = []
    for name, file in checked:
        attachment = FeedbackAttachment(
            feedback=feedback, original_filename=name[:255], sha256=file.sha256,  # type: ignore[attr-defined]
            content_type=file.content_type, size=file.size, uploaded_by=by, uploaded_at=at,  # type: ignore[attr-defined]
        )  # fmt: skip
        attachment.file.save(name, ContentFile(file.content), save=False)  # type: ignore[attr-defined]
        attachment.save()
        names.append(attachment.original_filename)
    return names


def sender_of_account(user: User) -> Sender:
    profile = getattr(user, "citizen_profile", None)
    business = getattr(user, "business_profile", None)
    if business is not None:
        return Sender(business.name, business.tax_code, user.phone, user.email, business.address)
    return Sender(
        user.full_name or user.username, profile.id_number if profile else "", user.phone,
        user.email, profile.address if profile else "",
    )  # fmt: skip


def feedback_create(
    *, target: Target, sender: Sender, title: str, question: str,
    uploads: Sequence[UploadedFile], at: datetime.datetime, account: User | None,
    recorded_by: User | None,
) -> Feedback:  # fmt: skip
    title = text_clean(title, _("tiêu đề"), TITLE_MAX)
    question = text_clean(question, _("nội dung phản ánh, kiến nghị"))
    if not (sender.name or "").strip():
        raise DomainError(_("Hãy ghi họ tên người phản ánh."))
    resolved = target_resolve(target, sender=account, at=at)
    checked = uploads_check(uploads)
    with transaction.atomic():
        feedback = Feedback.objects.create(
            code=f"tmp-{secrets.token_hex(8)}", subject=target.subject,
            procedure=resolved.procedure, dossier=resolved.dossier, officer=resolved.officer,
            unit=resolved.unit,
            channel=FeedbackChannel.COUNTER if recorded_by else FeedbackChannel.ONLINE,
            sender=account, recorded_by=recorded_by, sender_name=sender.name.strip()[:200],
            sender_id_number=sender.id_number.strip()[:20], sender_phone=sender.phone.strip()[:20],
            sender_email=sender.email.strip()[:254], sender_address=sender.address.strip()[:255],
            title=title, question=question, received_at=at,
            **deadlines.reception_deadlines(at, resolved.unit),
        )  # fmt: skip
        feedback.code = f"PA-{at.year}-{feedback.pk:06d}"
        files = attachments_save(feedback, checked, by=account or recorded_by, at=at)
        action = FeedbackAction.RECORD if recorded_by else FeedbackAction.SUBMIT
        event_add(
            feedback, action=action, at=at, actor=recorded_by or account, from_status="",
            unit_id=resolved.unit.pk, payload={"subject": target.subject, "files": files,
                                               **officer_named(target)},
        )  # fmt: skip
    return feedback


def officer_named(target: Target) -> dict[str, str]:
    """The officer's name as the sender wrote it, for the unit (it may be no one's account)."""
    if target.subject != Subject.OFFICER:
        return {}
    return {"officer_named": (target.officer or "").strip()[:150]}


def feedback_submit(
    *, user: User, target: Target, title: str, question: str,
    uploads: Sequence[UploadedFile] = (), at: datetime.datetime,
) -> Feedback:  # fmt: skip
    """A signed-in citizen or business sends feedback online, about a procedure, one of their
    own dossiers or an officer; the responsible unit is derived (``target_resolve``)."""
    if not user.is_authenticated:
        raise NotAllowed(_("Hãy đăng nhập để gửi phản ánh, kiến nghị."))
    return feedback_create(
        target=target, sender=sender_of_account(user), title=title, question=question,
        uploads=uploads, at=at, account=user, recorded_by=None,
    )  # fmt: skip


def feedback_record(
    *, officer: User, sender: Sender, target: Target, title: str, question: str,
    uploads: Sequence[UploadedFile] = (), at: datetime.datetime,
) -> Feedback:  # fmt: skip
    """A reception officer records feedback brought to the counter (any dossier may be named:
    the person is in front of the officer)."""
    counters = counter_unit_ids(officer)
    if not counters:
        raise NotAllowed(_("Chỉ cán bộ tiếp nhận mới ghi nhận phản ánh tại quầy."))
    if not served_at(target_resolve(target, sender=None, at=at), counters):
        raise NotAllowed(_(
            "Quầy của bạn không tiếp nhận hồ sơ cho đơn vị này: hãy hướng dẫn người phản ánh "
            "gửi trực tuyến hoặc đến bộ phận một cửa của đơn vị đó."))  # fmt: skip
    return feedback_create(
        target=target, sender=sender, title=title, question=question, uploads=uploads, at=at,
        account=None, recorded_by=officer,
    )  # fmt: skip


def served_at(resolved: Resolved, counters: set[int]) -> bool:
    """Whether the counters ``counters`` serve what a feedback is about: the unit responsible
    for it is one of them, or the dossier was received there, or they receive the procedure's
    dossiers (a Center branch receives for departments). A ward's counter cannot put feedback,
    and the 766 deadlines it starts, on another ward."""
    if resolved.unit.pk in counters:
        return True
    if resolved.dossier is not None:
        return resolved.dossier.receiving_unit_id in counters
    procedure = resolved.procedure
    if procedure is None or procedure.deciding_unit_id != resolved.unit.pk:
        return False  # an officer's unit, or one ward named among all that decide it
    return procedure.receiving_units.filter(pk__in=counters).exists()


def locked_for_officer(feedback: Feedback, actor: User, action: str) -> Feedback:
    """The feedback as it stands, locked; refuses an officer outside its unit and an action its
    state does not allow."""
    current = Feedback.objects.select_for_update().select_related("unit").get(pk=feedback.pk)
    if current.unit_id not in handling_unit_ids(actor):
        raise NotAllowed(_("Phản ánh này do đơn vị khác xử lý."))
    if current.status not in OFFICER_ACTIONS[action]:
        raise DomainError(
            _("Phản ánh đang ở trạng thái “%(status)s”: không thể “%(action)s”.")
            % {"status": current.get_status_display(), "action": FeedbackAction(action).label}
        )
    return current


def officer_step(
    current: Feedback, *, actor: User, action: str, at: datetime.datetime, status: str,
    text: str, due: datetime.datetime, fields: dict[str, object],
) -> Feedback:  # fmt: skip
    """Move the (locked) feedback to ``status`` with ``fields`` set, and record the step with its
    text and whether it was taken by its deadline ``due`` (indicators 5.1, 5.2)."""
    before = current.status
    current.status = status
    for name, value in fields.items():
        setattr(current, name, value)
    event_add(
        current, action=action, at=at, actor=actor, from_status=before, unit_id=current.unit_id,
        reason=text, payload={"on_time": at <= due},
    )  # fmt: skip
    return current


def feedback_reject(
    *, feedback: Feedback, actor: User, reason: str, at: datetime.datetime
) -> Feedback:
    """Refuse to handle the feedback, with the reason, within 2 working days (5.1); a later
    refusal is recorded, and counts as late."""
    reason = text_clean(reason, _("lý do từ chối"))
    with transaction.atomic():
        current = locked_for_officer(feedback, actor, FeedbackAction.REJECT)
        return officer_step(
            current, actor=actor, action=FeedbackAction.REJECT, at=at,
            status=FeedbackStatus.REJECTED, text=reason, due=current.reject_due,
            fields={"rejected_at": at, "reject_reason": reason},
        )  # fmt: skip


def feedback_request_more(
    *, feedback: Feedback, actor: User, text: str, at: datetime.datetime
) -> Feedback:
    """Ask the sender for more information, once, within 5 working days (5.2); the answer's
    clock stops until they reply."""
    text = text_clean(text, _("thông tin cần bổ sung"))
    with transaction.atomic():
        current = locked_for_officer(feedback, actor, FeedbackAction.REQUEST_MORE)
        if current.requested_at is not None:
            raise DomainError(_("Đã đề nghị bổ sung thông tin một lần; hãy trả lời phản ánh."))
        return officer_step(
            current, actor=actor, action=FeedbackAction.REQUEST_MORE, at=at,
            status=FeedbackStatus.WAITING, text=text, due=current.request_due,
            fields={"requested_at": at, "request_text": text},
        )  # fmt: skip


def feedback_supply_more(
    *, feedback: Feedback, user: User, text: str, uploads: Sequence[UploadedFile] = (),
    at: datetime.datetime,
) -> Feedback:  # fmt: skip
    """The sender brings what was asked; the answer is due 15 working days from reception with
    their waiting time off the clock."""
    text = text_clean(text, _("thông tin bổ sung"))
    checked = uploads_check(uploads)
    with transaction.atomic():
        current = Feedback.objects.select_for_update().select_related("unit").get(pk=feedback.pk)
        if current.sender_id is None or current.sender_id != user.pk:
            raise NotAllowed(_("Chỉ người gửi phản ánh mới bổ sung được thông tin."))
        if current.status != FeedbackStatus.WAITING or current.requested_at is None:
            raise DomainError(_("Phản ánh này không chờ bạn bổ sung thông tin."))
        current.status, current.supplied_at, current.supply_text = (
            FeedbackStatus.RECEIVED, at, text,
        )  # fmt: skip
        current.answer_due = deadlines.answer_due_after_supply(
            current.received_at, current.requested_at, at, current.unit
        )
        files = attachments_save(current, checked, by=user, at=at)
        event_add(
            current, action=FeedbackAction.SUPPLY_MORE, at=at, actor=user,
            from_status=FeedbackStatus.WAITING, unit_id=None, reason=text,
            payload={"files": files, "answer_due": current.answer_due.isoformat()},
        )  # fmt: skip
    return current


def feedback_answer(
    *, feedback: Feedback, actor: User, answer: str, at: datetime.datetime
) -> Feedback:
    """Answer within 15 working days (5.2); the answer must then be published within 2."""
    answer = text_clean(answer, _("nội dung trả lời"))
    with transaction.atomic():
        current = locked_for_officer(feedback, actor, FeedbackAction.ANSWER)
        before = current.status
        current.status, current.answered_at, current.answer, current.answered_by = (
            FeedbackStatus.ANSWERED, at, answer, actor,
        )  # fmt: skip
        current.publish_due = deadlines.publish_due(at, current.unit)
        event_add(
            current, action=FeedbackAction.ANSWER, at=at, actor=actor, from_status=before,
            unit_id=current.unit_id, reason=answer,
            payload={"on_time": at <= current.answer_due,
                     "publish_due": current.publish_due.isoformat()},
        )  # fmt: skip
    return current


def public_texts(feedback: Feedback) -> tuple[str, str, str]:
    """(title, question, answer) with the personal data of everyone involved taken out."""
    names = [feedback.sender_name]
    numbers = [feedback.sender_id_number]
    if feedback.dossier is not None:
        names.append(feedback.dossier.applicant_name)
        numbers.append(feedback.dossier.applicant_id_number)
    if feedback.officer is not None:
        names += [feedback.officer.full_name, feedback.officer.username]
    known = {"names": names, "numbers": numbers, "phones": [feedback.sender_phone],
             "addresses": [feedback.sender_address]}  # fmt: skip
    return (
        redact(feedback.title, **known),
        redact(feedback.question, **known),
        redact(feedback.answer, **known),
    )


def feedback_publish(*, feedback: Feedback, actor: User, at: datetime.datetime) -> Feedback:
    """Publish the answer (and the question) on the public page within 2 working days of
    answering (5.3), personal data hidden."""
    with transaction.atomic():
        current = locked_for_officer(feedback, actor, FeedbackAction.PUBLISH)
        current.status, current.published_at = FeedbackStatus.PUBLISHED, at
        public_copy_write(current)
        assert current.publish_due is not None
        event_add(
            current, action=FeedbackAction.PUBLISH, at=at, actor=actor,
            from_status=FeedbackStatus.ANSWERED, unit_id=current.unit_id,
            payload={"on_time": at <= current.publish_due},
        )  # fmt: skip
    return current


def public_copy_write(feedback: Feedback) -> bool:
    """Write the public copy (and the public search's words) with the redaction rules in force;
    True if it changed. The caller saves."""
    title, question, answer = public_texts(feedback)
    place = [feedback.unit.name, feedback.procedure.name if feedback.procedure else ""]
    search = fold_words(" ".join([title, question, answer, *place]))
    before = (feedback.public_title, feedback.public_question, feedback.public_answer,
              feedback.search_text)  # fmt: skip
    feedback.public_title, feedback.public_question, feedback.public_answer = (
        title,
        question,
        answer,
    )
    feedback.search_text = search
    return before != (title, question, answer, search)


def public_copies_refresh() -> int:
    """Redact again the public copies of everything published, after the rules improved (the
    public page also redacts as it shows, so nothing waits for this; the search's words do);
    how many copies changed. Each row in its own short transaction."""
    changed = 0
    published = Feedback.objects.filter(status=FeedbackStatus.PUBLISHED).values_list(
        "pk", flat=True
    )
    for pk in list(published):
        with transaction.atomic():
            feedback = (
                Feedback.objects.select_for_update(of=("self",))  # not the joined rows
                .select_related("unit", "procedure", "dossier", "officer")
                .get(pk=pk)
            )
            if public_copy_write(feedback):
                feedback.save(update_fields=[
                    "public_title", "public_question", "public_answer", "search_text"])  # fmt: skip
                logger.info("feedback %s: public copy redacted again", feedback.code)
                changed += 1
    return changed

"""Telling applicants what happened to their dossier: at reception, when a supplement is asked
for, when the result is ready (granted or refused) and when the office apologises for being late
(Decree 61/2018 art. 18–19: the applicant is informed of each of these).

Rows are written and their delivery enqueued in the transaction of the dossier event (the
outbox); the worker sends them. Nothing is sent from inside a request.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.selectors import officers_holding
from motcua.bundles.models import BundleMember
from motcua.catalog.models import Procedure
from motcua.common.clock import VIETNAM, history_since, today
from motcua.common.events import Event
from motcua.common.rows import rows_insert
from motcua.common.text import unaccent
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.results import result_is_electronic

from .constants import DeliveryStatus, Kind, NotifyChannel
from .delivery import sweep_grace
from .models import Notification
from .tasks import notification_deliver

ACTION_KIND: dict[str, str] = {
    Action.RECEIVE: Kind.RECEIVED,
    Action.REQUEST_SUPPLEMENT: Kind.SUPPLEMENT_REQUESTED,
    Action.APOLOGIZE: Kind.APOLOGY,
}
SMS_MAX_CHARS = 160  # one GSM-7 segment: what a brandname SMS is billed by
_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+")


def notifications_for_event(dossier: Dossier, event: DossierEvent) -> list[Notification]:
    """The e-mail and SMS this event owes the applicant, written and enqueued (not sent).

    Runs inside the transaction of the dossier's action (an in-transaction subscriber of the
    event bus): if the action is refused and rolled back, so are these rows and their tasks.
    """
    kind = kind_of(dossier, event)
    if kind is None or is_history(event) or told_by_the_bundle(dossier, event):
        return []
    phone, email = contact_of(dossier)
    if not phone and not email:
        return []
    context = message_context(dossier, event)
    created = []
    if email:
        subject, body = render_email(kind, context)
        created.append(
            notification_add(dossier, event, kind, NotifyChannel.EMAIL, email, subject, body)
        )
    if phone:
        text = render_sms(kind, context)
        created.append(notification_add(dossier, event, kind, NotifyChannel.SMS, phone, "", text))
    return created


def kind_of(dossier: Dossier, event: DossierEvent) -> str | None:
    """What the event means to the applicant. A refusal after appraisal is news at once; a
    granted result on paper as soon as it is ready at the counter (whichever action made it
    ready: the leader's signature or the result's completion), an electronic one when it is
    handed over (and downloadable)."""
    if event.action == Action.REJECT:
        return Kind.RESULT_READY
    ready = event.to_status == Status.PROCESSED and event.from_status != Status.PROCESSED
    if ready or event.action == Action.RETURN_RESULT:
        electronic = result_is_electronic(dossier)
        wanted = event.action == Action.RETURN_RESULT if electronic else ready
        return Kind.RESULT_READY if wanted else None
    return ACTION_KIND.get(event.action)


def told_by_the_bundle(dossier: Dossier, event: DossierEvent) -> bool:
    """A refused first member of a linked bundle is told in the bundle's one notice (which
    procedure failed, why, and which will not be done: notifications/bundles.py), not also
    in a message of its own (decision 0025: the applicant gets one notice)."""
    if event.action != Action.REJECT:
        return False
    marker = dossier.eform_data.get("bundle") if isinstance(dossier.eform_data, dict) else None
    if not marker:
        return False  # not a bundle member: no query
    first = BundleMember.objects.filter(dossier=dossier, after="")
    bundle_id = first.values_list("bundle_id", flat=True).first()
    if bundle_id is None:
        return False
    return BundleMember.objects.filter(bundle_id=bundle_id).exclude(dossier=dossier).exists()


def on_dossier_event(published: Event) -> None:
    """Subscriber of every dossier event (in its transaction: the outbox rows commit with it)."""
    dossier, event = published.data.get("dossier"), published.data.get("event")
    if isinstance(dossier, Dossier) and isinstance(event, DossierEvent):
        notifications_for_event(dossier, event)


def is_history(event: DossierEvent) -> bool:
    """An event recorded long after it happened (a legacy import) is not news to send."""
    since = history_since()
    return since is not None and event.at < since


def contact_of(dossier: Dossier) -> tuple[str, str]:
    """(phone, e-mail) given with the application, else those of the account that owns it."""
    applicant = dossier.applicant if isinstance(dossier.applicant, dict) else {}
    phone = str(applicant.get("phone") or "").strip()
    email = str(applicant.get("email") or "").strip()
    if (not phone or not email) and dossier.owner_id is not None:
        owner = dossier.owner
        assert owner is not None
        phone = phone or owner.phone
        email = email or owner.email
    return phone_normalised(phone), email


def phone_normalised(phone: str) -> str:
    """Digits only, +84 written the domestic way (0…); anything else is left for the provider."""
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits


def procedure_name(dossier: Dossier) -> str:
    if Dossier.procedure.is_cached(dossier):
        return dossier.procedure.name  # the action had it in hand (a counter dossier)
    # Only the name: the procedure row carries large JSON that no message needs.
    return Procedure.objects.values_list("name", flat=True).get(pk=dossier.procedure_id)


def message_context(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    payload = event.payload if isinstance(event.payload, dict) else {}
    procedure = procedure_name(dossier)
    public_url = settings.MOTCUA_PUBLIC_URL
    return {
        "code": dossier.code or dossier.ref,
        "ref": dossier.ref,
        "applicant_name": dossier.applicant_name,
        "procedure": procedure,
        "unit": dossier.receiving_unit.name,
        "due": local_text(dossier.due_at),
        "items": [str(item) for item in payload.get("items") or []],
        "reason": event.reason,
        "approved": event.action != Action.REJECT,
        "electronic": event.action == Action.RETURN_RESULT,
        "previous_due": local_text(parse_instant(payload.get("previous_due"))),
        "new_due": local_text(parse_instant(payload.get("new_due"))),
        "MOTCUA_PUBLIC_URL": public_url,
        "link": dossier_link(dossier),
        "lookup_link": public_url + reverse("portal:lookup"),
    }


def dossier_link(dossier: Dossier) -> str:
    """Where the applicant follows the dossier: their account if they have one, else the
    public lookup with the code filled in (a counter applicant may have no account)."""
    public_url = settings.MOTCUA_PUBLIC_URL
    if dossier.owner_id is not None:
        return public_url + reverse("portal:my-dossier", kwargs={"ref": dossier.ref})
    return f"{public_url}{reverse('portal:lookup')}?ma={quote(dossier.code or dossier.ref)}"


def parse_instant(value: Any) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def local_text(value: datetime.datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Hà Nội time, whatever the server's zone."""
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if value else ""


def render(template: str, context: dict[str, Any]) -> str:
    with translation.override("vi"):
        text = render_to_string(template, context)
    return _BLANK_LINES.sub("\n\n", text).strip()


def render_email(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """The template's first line is the subject, the rest the body."""
    subject, _newline, body = render(f"notifications/{kind}_email.txt", context).partition("\n")
    return " ".join(subject.split())[:255], body.strip() + "\n"


def render_sms(kind: str, context: dict[str, Any]) -> str:
    """One line without diacritics (brandname SMS convention), cut to one segment."""
    text = " ".join(unaccent(render(f"notifications/{kind}_sms.txt", context)).split())
    text = text.encode("ascii", "replace").decode()  # GSM-7 has no room for other symbols
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 3].rstrip() + "..."


def notification_add(
    dossier: Dossier, event: DossierEvent, kind: str, channel: str, recipient: str, subject: str,
    body: str,
) -> Notification:  # fmt: skip
    notification = Notification(
        dossier=dossier, event=event, kind=kind, channel=channel, recipient=recipient[:254],
        subject=subject, body=body, idempotency_key=f"{dossier.ref}-{event.seq}-{channel}",
        created_at=event.at, next_attempt_at=event.at + sweep_grace(),
    )  # fmt: skip
    rows_insert([notification])  # one statement made once (issue 12: every action sends)
    notification_deliver.enqueue(notification_id=notification.pk)
    return notification


def notifications_retry(*, at: datetime.datetime, limit: int = 500) -> int:
    """Enqueue again the pending notifications whose next attempt is due; returns how many.

    Catches what the first task missed (worker stopped, provider down). Each row's next attempt
    moves forward, so a row waiting in the queue is not enqueued twice by the next sweep.
    """
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=at)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=due).update(next_attempt_at=at + sweep_grace())
        for pk in due:
            notification_deliver.enqueue(notification_id=pk)
    return len(due)


def notifications_resend(*, ids: list[int], at: datetime.datetime) -> int:
    """An administrator sends failed notifications again (after fixing a number or a token)."""
    with transaction.atomic():
        failed = list(
            Notification.objects.select_for_update()
            .filter(pk__in=ids, status=DeliveryStatus.FAILED)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=failed).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=at + sweep_grace()
        )
        for pk in failed:
            notification_deliver.enqueue(notification_id=pk)
    return len(failed)


def alert_recipients(dossier: Dossier) -> list[str]:
    """The assignee, else the deciding unit's leaders and division heads, who have an e-mail."""
    if dossier.assignee is not None and dossier.assignee.email:
        return [dossier.assignee.email]
    people = officers_holding(
        dossier.deciding_unit, [OfficerRoleName.LEADER, OfficerRoleName.DIVISION_HEAD], today()
    )
    return sorted({person.email for person in people if person.email})


def on_alert_raised(published: Event) -> None:
    """Deadline warnings to officers go through the outbox like every other message."""
    dossier, alert = published.data["dossier"], published.data["alert"]
    to = alert_recipients(dossier)
    context = {
        "code": dossier.code or dossier.ref, "applicant_name": dossier.applicant_name,
        "label": str(alert.get_kind_display()), "due": local_text(dossier.due_at),
        "link": settings.MOTCUA_PUBLIC_URL + reverse("dossiers:detail", kwargs={"ref": dossier.ref}),
    }  # fmt: skip
    subject, body = render_email(Kind.OFFICER_ALERT, context)
    for email in to:
        notification = Notification.objects.create(
            dossier=dossier, kind=Kind.OFFICER_ALERT, channel=NotifyChannel.EMAIL, recipient=email,
            subject=subject, body=body, idempotency_key=f"alert-{alert.pk}-{email}"[:80],
            created_at=alert.raised_at, next_attempt_at=alert.raised_at + sweep_grace(),
        )  # fmt: skip
        notification_deliver.enqueue(notification_id=notification.pk)
    alert.notified = len(to)
    alert.save(update_fields=["notified"])

"""Every outbound message through the outbox (decision 0037): e-mails asked for by other apps
(password reset), the dead letters, and the alert they raise for administrators.

Other apps never send mail themselves: they publish ``mail.requested`` (``common.events``) and
the row written here is delivered by the outbound worker, retried with backoff, and kept as a
dead letter (status FAILED) when every attempt failed. A dead letter opens (or adds to) an
:class:`AdminAlert`, shown in the admin and counted by /readyz, and the alert is mailed to
MOTCUA_ALERT_EMAILS through the outbox as well: if the mail provider itself is down, the alert
row is still there.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from motcua.common.clock import now
from motcua.common.events import Event

from .constants import DeliveryStatus, Kind, NotifyChannel
from .delivery import sweep_grace
from .models import AdminAlert, Notification
from .tasks import notification_deliver


def mail_enqueue(
    *, kind: str, recipients: list[str], subject: str, body: str, at: datetime.datetime
) -> list[Notification]:
    """One outbox row per recipient, delivered by the outbound worker once committed."""
    rows = []
    for recipient in recipients:
        notification = Notification.objects.create(
            kind=kind, channel=NotifyChannel.EMAIL, recipient=recipient[:254],
            subject=" ".join(subject.split())[:255], body=body,
            idempotency_key=f"{kind}-{uuid.uuid4().hex}", created_at=at,
            next_attempt_at=at + sweep_grace(),
        )  # fmt: skip
        notification_deliver.enqueue(notification_id=notification.pk)
        rows.append(notification)
    return rows


def on_mail_requested(published: Event) -> None:
    """``mail.requested`` (subject, body, to): e-mail about an account (a password reset)."""
    data = published.data
    mail_enqueue(
        kind=Kind.ACCOUNT_MAIL, recipients=list(data["to"]),
        subject=str(data["subject"]), body=str(data["body"]), at=now(),
    )  # fmt: skip


def dead_letter(notification: Notification, error: str, at: datetime.datetime) -> AdminAlert:
    """A message given up on: an alert for administrators (mailed when it first opens)."""
    key = f"outbox:{notification.channel}"
    title = f"Tin nhắn gửi không được ({notification.get_channel_display()})"
    detail = f"{notification.get_kind_display()} → {notification.recipient}: {error}"[:2000]
    alert, opened = alert_raise(key=key, title=title, detail=detail, at=at)
    if opened and notification.kind != Kind.ADMIN_ALERT:  # never alert about an alert
        mail_enqueue(
            kind=Kind.ADMIN_ALERT, recipients=settings.MOTCUA_ALERT_EMAILS,
            subject=f"[Một Cửa] {title}",
            body=f"{detail}\n\nXem / see: {settings.MOTCUA_PUBLIC_URL}/quan-tri/\n", at=at,
        )  # fmt: skip
    return alert


def alert_raise(
    *, key: str, title: str, detail: str, at: datetime.datetime
) -> tuple[AdminAlert, bool]:
    """The open alert for ``key`` with one more occurrence, or a new one (then True)."""
    with transaction.atomic():
        updated = AdminAlert.objects.filter(key=key, resolved_at=None).update(
            count=F("count") + 1, last_at=at, detail=detail
        )
        if updated:
            return AdminAlert.objects.get(key=key, resolved_at=None), False
        try:
            with transaction.atomic():
                alert = AdminAlert.objects.create(
                    key=key, title=title[:255], detail=detail, first_at=at, last_at=at
                )
        except IntegrityError:  # opened by another worker meanwhile
            return alert_raise(key=key, title=title, detail=detail, at=at)[0], False
    return alert, True


def dead_letters() -> int:
    return Notification.objects.filter(status=DeliveryStatus.FAILED).count()


def alerts_open() -> int:
    return AdminAlert.objects.filter(resolved_at=None).count()

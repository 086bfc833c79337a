"""Delivering one notification, in the worker: claim, send outside any transaction, record.

The claim is a short locked update (a lease), so no database lock is held while a slow provider
answers; a second worker, or a second task for the same row, finds it claimed or already sent and
does nothing. The provider receives the row's idempotency key, so even a send whose answer was
lost is not delivered twice.
"""

from __future__ import annotations

import datetime
import logging
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from motcua.common.clock import now
from motcua.integrations.notify.sms import sms_gateway

from .constants import SECRET_KINDS, DeliveryStatus, NotifyChannel
from .models import Notification

logger = logging.getLogger(__name__)


def claim_lease() -> datetime.timedelta:
    """How long a claimed row is the claimer's: longer than any provider timeout. A worker killed
    mid-send leaves its claim; the row is sent again once the claim has run out."""
    return datetime.timedelta(seconds=settings.MOTCUA_NOTIFY_LEASE_SECONDS)


def sweep_grace() -> datetime.timedelta:
    """A fresh row is delivered by the task enqueued with it; the retry sweep steps in only
    after this (and moves a row it enqueues this far ahead, so it is not enqueued twice)."""
    return datetime.timedelta(seconds=settings.MOTCUA_NOTIFY_SWEEP_GRACE_SECONDS)


def notification_send(*, notification_id: int) -> str:
    """Send the notification once; returns what happened (sent, pending, failed, skipped)."""
    notification = notification_claim(notification_id, now())
    if notification is None:
        return "skipped"
    try:
        provider_id = deliver(notification)
    except Exception as error:
        # Any failure, a misconfiguration included, is recorded on the row for the outbox to show.
        return notification_failed(notification, error, now())
    # A secret (a reset link) is not kept once it has left.
    erased = {"body": ""} if notification.kind in SECRET_KINDS else {}
    Notification.objects.filter(pk=notification.pk).update(
        status=DeliveryStatus.SENT, sent_at=now(), provider_id=provider_id[:255], last_error="",
        claimed_until=None, next_attempt_at=None, **erased,
    )  # fmt: skip
    return DeliveryStatus.SENT


def notification_claim(notification_id: int, at: datetime.datetime) -> Notification | None:
    """The row, counted as one more attempt, if it is pending and nobody else is sending it."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != DeliveryStatus.PENDING:
            return None
        if notification.claimed_until is not None and notification.claimed_until > at:
            return None
        notification.attempts += 1
        notification.claimed_until = at + claim_lease()
        notification.save(update_fields=["attempts", "claimed_until"])
    return notification


def deliver(notification: Notification) -> str:
    if notification.channel == NotifyChannel.EMAIL:
        return email_deliver(notification)
    return sms_gateway().send(
        to=notification.recipient, text=notification.body, key=notification.idempotency_key
    )


def email_deliver(notification: Notification) -> str:
    # Our own Message-ID is the "provider id" of an e-mail; the domain is the sender's, so
    # Django does not look up the machine's DNS name.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    message_id = make_msgid(idstring=notification.idempotency_key, domain=domain)
    EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.recipient],
        headers={"Message-ID": message_id},
    ).send()
    return message_id


def notification_failed(notification: Notification, error: Exception, at: datetime.datetime) -> str:
    """Record the error; give up after the last attempt or when retrying cannot help."""
    permanent = bool(getattr(error, "permanent", False))
    exhausted = notification.attempts >= settings.MOTCUA_NOTIFY_MAX_ATTEMPTS
    status = DeliveryStatus.FAILED if permanent or exhausted else DeliveryStatus.PENDING
    logger.warning(
        "Notification %s attempt %s failed: %s", notification.pk, notification.attempts, error
    )
    text = f"{error}"[:2000] or type(error).__name__
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            status=status, last_error=text, claimed_until=None,
            next_attempt_at=None if status == DeliveryStatus.FAILED else at + backoff(notification.attempts),
        )  # fmt: skip
        if status == DeliveryStatus.FAILED:
            from .outbox import dead_letter  # outbox enqueues this module's task

            dead_letter(notification, text, at)
    return status


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes between attempts, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))

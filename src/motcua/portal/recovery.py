"""A citizen who signed up with a phone number and no e-mail gets a new password with a one-time
code sent by SMS (issue 15): the code goes through the SMS adapter (``integrations.notify``),
directly, never through the notification outbox where an administrator could read it.

The person types their personal ID number (their sign-in name) and the phone number of the
account. The request does the same work whatever was typed: it records a challenge (counted
against the limits) and enqueues one task, so neither its answer, its time nor its writes tell
whether an account exists or which phone it has. The worker's task looks for an active citizen
account holding both numbers and only then makes the code, stores its hash and sends the SMS
(the plaintext code is never in the task queue). An SMS outage is the task's: it tries again a
little later with a new code, and past the last try or the code's lifetime it makes the
challenge unusable; the person is never told.

The codes are ``portal.ownership``'s: six digits, ten minutes, five tries, only a keyed hash
kept, counted with the others of the same table. Limits: 5 codes an hour per address asking
(with the other codes asked for without an account), 3 an hour per phone number. An officer's
account is never recovered this way: officers sign in with a second factor (decision 0012).
"""

from __future__ import annotations

import datetime
import logging
import secrets

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.integrations.notify.sms import SmsDeliveryError

from . import ownership
from .models import OwnershipChallenge

RECOVER = "recover"
MAX_CODES_PER_ADDRESS = 5  # an hour, with the other codes asked for without an account
MAX_CODES_PER_PHONE = 3  # an hour
MAX_SEND_ATTEMPTS = 4  # SMS outages: tries by the task, each with a new code
SEND_RETRY_WAIT = datetime.timedelta(seconds=30)  # doubled after each failed try
SMS_TEXT = (
    "Ma khoi phuc mat khau Mot Cua: {code}. Hieu luc 10 phut. "
    "Khong dua ma nay cho bat ky ai, ke ca can bo."
)
log = logging.getLogger(__name__)


class RecoveryRefused(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Mã xác nhận đã hết hạn hoặc không còn dùng được. Hãy yêu cầu mã mới."))


def account_for(id_number: str, phone: str) -> User | None:
    """The active citizen account holding both the ID number and the phone; never an officer's,
    and never one bound to a VNeID identity: its owner signs in through VNeID, and a phone
    someone once typed on the account must not bring back a password (the binding made the old
    one unusable)."""
    accounts = User.objects.filter(
        citizen_profile__id_number=id_number, phone=phone, is_active=True, is_staff=False,
        is_superuser=False,
    )  # fmt: skip
    account = (
        accounts.exclude(officer_roles__isnull=False).select_related("citizen_profile").first()
    )
    if account is None or account.citizen_profile.identity_verified:
        return None
    return account if account.has_usable_password() else None


def recovery_start(
    *, id_number: str, phone: str, ip: str | None, at: datetime.datetime
) -> OwnershipChallenge:
    """A challenge for the phone typed and its task, whatever the account: the same writes, no
    SMS in the request. TooManyCodes as ``ownership`` says."""
    with transaction.atomic():  # the challenge and its task commit together
        challenge = ownership.challenge_record(
            purpose=RECOVER, id_number=id_number, contact=ownership.Contact(ownership.SMS, phone),
            user=None, ip=ip, at=at, limits=(MAX_CODES_PER_ADDRESS, MAX_CODES_PER_PHONE),
        )  # fmt: skip
        recovery_code_task.enqueue(challenge_id=challenge.pk)
    return challenge


@task()
def recovery_code_task(*, challenge_id: int, attempt: int = 1) -> str:
    """Enqueued by every recovery request; safe to run more than once."""
    return recovery_code_send(challenge_id=challenge_id, attempt=attempt, at=now())


def recovery_code_send(*, challenge_id: int, attempt: int, at: datetime.datetime) -> str:
    """Send the challenge's code when an account holds its numbers; on an SMS outage, try
    again later or give up (``delivery_failed``). Returns what happened, for the task's record."""
    with transaction.atomic():
        challenge = (
            OwnershipChallenge.objects.select_for_update()
            .filter(pk=challenge_id, purpose=RECOVER, used_at=None, expires_at__gt=at)
            .first()
        )
        if challenge is None or challenge.code_hash:  # gone, or its code already on its way
            return "skipped"
        if account_for(challenge.id_number, challenge.recipient) is None:
            return "skipped"
        code = ownership.code_issue(challenge)
    contact = ownership.Contact(ownership.SMS, challenge.recipient)
    try:
        ownership.code_deliver(
            contact, code, key=f"recovery-{challenge.pk}-{secrets.token_hex(6)}", text=SMS_TEXT
        )
    except (SmsDeliveryError, OSError) as error:
        return delivery_failed(challenge, attempt=attempt, error=error, at=at)
    return "sent"


def delivery_failed(
    challenge: OwnershipChallenge, *, attempt: int, error: Exception, at: datetime.datetime
) -> str:
    """The code that may not have arrived is voided; the task runs again after a wait (30 s,
    1 min, 2 min), unless retrying cannot help or the code would expire first: then the
    challenge is marked used, and answering it says the code has expired."""
    permanent = isinstance(error, SmsDeliveryError) and error.permanent
    again = at + SEND_RETRY_WAIT * 2 ** (attempt - 1)
    if permanent or attempt >= MAX_SEND_ATTEMPTS or again >= challenge.expires_at:
        OwnershipChallenge.objects.filter(pk=challenge.pk).update(code_hash="", used_at=at)
        log.warning("recovery code %s not sent, given up: %s", challenge.pk, error)
        return "given up"
    OwnershipChallenge.objects.filter(pk=challenge.pk).update(code_hash="")
    log.warning("recovery code %s not sent (try %s): %s", challenge.pk, attempt, error)
    recovery_code_task.using(run_after=again).enqueue(
        challenge_id=challenge.pk, attempt=attempt + 1
    )
    return "retry"


def password_reset(*, challenge_id: int, code: str, password: str, at: datetime.datetime) -> User:
    """The account's new password once the code is right (the password is checked first: a
    weak one costs no try). Every wrong code counts; WrongCode, CodeExpired, RecoveryRefused."""
    validate_password(password)
    challenge = OwnershipChallenge.objects.filter(pk=challenge_id, purpose=RECOVER).first()
    if challenge is None:
        raise RecoveryRefused()
    answered = ownership.challenge_answer(challenge_id=challenge.pk, code=code, at=at)
    with transaction.atomic():
        user = account_for(answered.id_number, answered.recipient)
        if user is None:  # the account changed since, or there never was one
            raise RecoveryRefused()
        user.set_password(password)  # other sessions end: their hash no longer matches
        user.save(update_fields=["password"])
    from axes.utils import reset as sign_in_failures_forget

    # The failed sign-ins that may have locked the account (``accounts.backends.axes_username``).
    sign_in_failures_forget(username=f"user:{user.pk}")
    return user

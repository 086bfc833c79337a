"""A citizen who signed up with a phone number and no e-mail gets a new password with a one-time
code sent by SMS (issue 15): the code goes through the SMS adapter (``integrations.notify``),
directly, never through the notification outbox where an administrator could read it.

The person types their personal ID number (their sign-in name) and the phone number of the
account. A code is sent only when an active citizen account holds both, but the answer is the
same whatever was typed: the page never tells whether an account exists or which phone it has.
The codes are ``portal.ownership``'s: six digits, ten minutes, five tries, only a keyed hash
kept, counted with the others of the same table. Limits: 5 codes an hour per address asking
(with the other codes asked for without an account), 3 an hour per phone number. An officer's
account is never recovered this way: officers sign in with a second factor (decision 0012).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.common.errors import DomainError

from . import ownership
from .models import OwnershipChallenge

RECOVER = "recover"
MAX_CODES_PER_ADDRESS = 5  # an hour, with the other codes asked for without an account
MAX_CODES_PER_PHONE = 3  # an hour
SMS_TEXT = (
    "Ma khoi phuc mat khau Mot Cua: {code}. Hieu luc 10 phut. "
    "Khong dua ma nay cho bat ky ai, ke ca can bo."
)


class RecoveryRefused(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Mã xác nhận đã hết hạn hoặc không còn dùng được. Hãy yêu cầu mã mới."))


def account_for(id_number: str, phone: str) -> User | None:
    """The active citizen account holding both the ID number and the phone; never an officer's."""
    accounts = User.objects.filter(
        citizen_profile__id_number=id_number, phone=phone, is_active=True, is_staff=False,
        is_superuser=False,
    )  # fmt: skip
    return accounts.exclude(officer_roles__isnull=False).first()


def recovery_start(
    *, id_number: str, phone: str, ip: str | None, at: datetime.datetime
) -> OwnershipChallenge:
    """A challenge for the phone typed, its code sent only if an account holds both numbers;
    counted against the limits either way. TooManyCodes, CodeNotSent as ``ownership`` says."""
    known = account_for(id_number, phone) is not None
    return ownership.challenge_send(
        purpose=RECOVER, id_number=id_number, contact=ownership.Contact(ownership.SMS, phone),
        user=None, ip=ip, at=at, deliver=known,
        limits=(MAX_CODES_PER_ADDRESS, MAX_CODES_PER_PHONE), text=SMS_TEXT,
    )  # fmt: skip


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

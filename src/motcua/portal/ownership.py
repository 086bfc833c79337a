"""Proving that an account is the applicant of dossiers it did not submit itself.

An ID number typed at sign-up proves nothing: anyone can type another person's. A dossier filed
at the counter, though, carries the phone and e-mail that an officer recorded while looking at the
applicant's ID card. A one-time code sent there is the proof: answering it links the dossiers
with that contact to the account (``ApplicantLink``), and, when someone else's account already
holds the ID number, hands the ID number over to the person who answered (``account_reclaim``).

Codes: six digits, ten minutes, five tries. Three codes an hour per requester (the account
claiming, or the address of someone signing up), and five an hour per recipient and purpose: an
account squatting an ID number cannot use up the allowance of the person reclaiming it, and no
one can flood a phone. Only a keyed hash is stored; the code is sent at once (a late code is
useless, so it does not wait in the notification outbox where an administrator could read it).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import CitizenProfile, User
from motcua.accounts.services import citizen_create
from motcua.common.errors import DomainError
from motcua.dossiers.models import ApplicantLink, Dossier
from motcua.integrations.notify.sms import SmsDeliveryError, sms_gateway

from .models import OwnershipChallenge

CODE_LIFETIME = datetime.timedelta(minutes=10)
MAX_TRIES = 5
MAX_CODES_PER_HOUR = 3  # per requester
MAX_CODES_PER_RECIPIENT = 5  # per hour, per purpose
LINK, RECLAIM = "link", "reclaim"
SMS, EMAIL = "sms", "email"


CODE_LIMIT_WINDOW_SECONDS = 3600  # the codes asked for are counted over the last hour


class TooManyCodes(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Đã gửi quá nhiều mã xác nhận trong một giờ. Vui lòng thử lại sau."))


class CodeNotSent(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Chưa gửi được mã xác nhận. Vui lòng thử lại sau ít phút."))


class CodeExpired(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Mã xác nhận đã hết hạn hoặc đã nhập sai quá nhiều lần. Hãy yêu cầu mã mới.")
        )


class WrongCode(DomainError):
    def __init__(self, left: int) -> None:
        super().__init__(_("Mã xác nhận không đúng. Còn %(left)s lần thử.") % {"left": left})


class ReclaimRefused(DomainError):
    pass


@dataclass(frozen=True)
class Contact:
    """A phone or e-mail recorded on dossiers, shown only masked."""

    channel: str
    value: str

    @property
    def masked(self) -> str:
        if self.channel == SMS:
            return f"{self.value[:2]}{'•' * max(len(self.value) - 4, 0)}{self.value[-2:]}"
        name, _at, domain = self.value.partition("@")
        return f"{name[:1]}{'•' * max(len(name) - 1, 2)}@{domain}"


def phone_digits(raw: object) -> str:
    digits = "".join(ch for ch in str(raw or "") if ch.isascii() and ch.isdigit())
    return "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits


def contacts_of(dossier: Dossier) -> set[Contact]:
    applicant = dossier.applicant if isinstance(dossier.applicant, dict) else {}
    found = set()
    if len(phone := phone_digits(applicant.get("phone"))) >= 9:
        found.add(Contact(SMS, phone))
    if "@" in (email := str(applicant.get("email") or "").strip().lower()):
        found.add(Contact(EMAIL, email))
    return found


def unproven_dossiers(id_number: str, user: User | None = None) -> QuerySet[Dossier]:
    """Dossiers filed under ``id_number`` that ``user`` neither submitted nor has proved (with no
    user: that no account has proved)."""
    dossiers = Dossier.objects.filter(applicant_id_number=id_number)
    if user is None:  # someone signing up: only dossiers nobody has proved yet
        return dossiers.exclude(applicant_links__isnull=False)
    return dossiers.exclude(owner=user).exclude(applicant_links__user=user)


def contacts_for(id_number: str, user: User | None = None) -> list[Contact]:
    """The contacts a code may be sent to, in a stable order (the form refers to them by index)."""
    found: set[Contact] = set()
    for dossier in unproven_dossiers(id_number, user).only("applicant"):
        found |= contacts_of(dossier)
    return sorted(found, key=lambda c: (c.channel != SMS, c.value))


def code_digest(challenge_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"ownership:{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def challenge_start(
    *, purpose: str, id_number: str, typed: str, user: User | None, ip: str | None,
    at: datetime.datetime,
) -> OwnershipChallenge:  # fmt: skip
    """A challenge for the contact the person typed. When no unproven dossier of the ID number
    records it, the challenge is made all the same but no code is sent (it cannot be answered):
    the answer never tells whether an ID number has dossiers, or which contacts they record."""
    channel = EMAIL if "@" in typed else SMS
    contact = Contact(channel, typed)
    if contact in contacts_for(id_number, user):
        return challenge_send(
            purpose=purpose, id_number=id_number, contact=contact, user=user, ip=ip, at=at
        )
    return challenge_send(
        purpose=purpose, id_number=id_number, contact=contact, user=user, ip=ip, at=at,
        deliver=False,
    )  # fmt: skip


def challenge_send(
    *, purpose: str, id_number: str, contact: Contact, user: User | None, ip: str | None,
    at: datetime.datetime, deliver: bool = True, limits: tuple[int, int] | None = None,
    text: str = "",
) -> OwnershipChallenge:  # fmt: skip
    """Create a challenge and send its code; raises when over the limit or when sending fails.
    ``deliver=False`` (a contact no dossier records) counts and behaves alike, and sends nothing.
    ``limits``: codes an hour per requester and per recipient (this purpose's); ``text``: the
    SMS, with ``{code}`` where the code goes (the applicant's code by default)."""
    challenge = challenge_record(
        purpose=purpose, id_number=id_number, contact=contact, user=user, ip=ip, at=at,
        limits=limits,
    )  # fmt: skip
    code = code_issue(challenge)
    if not deliver:
        return challenge
    try:
        code_deliver(
            contact, code, key=f"ownership-{challenge.pk}-{secrets.token_hex(6)}", text=text
        )
    except (SmsDeliveryError, OSError) as error:
        OwnershipChallenge.objects.filter(pk=challenge.pk).update(used_at=at)
        raise CodeNotSent() from error
    return challenge


def challenge_record(
    *, purpose: str, id_number: str, contact: Contact, user: User | None, ip: str | None,
    at: datetime.datetime, limits: tuple[int, int] | None = None,
) -> OwnershipChallenge:  # fmt: skip
    """A challenge counted against the limits (TooManyCodes), with no code yet: its empty hash
    matches no code until ``code_issue`` gives it one."""
    per_requester, per_recipient = limits or (MAX_CODES_PER_HOUR, MAX_CODES_PER_RECIPIENT)
    recent = OwnershipChallenge.objects.filter(created_at__gte=at - datetime.timedelta(hours=1))
    requester = recent.filter(user=user) if user is not None else recent.filter(user=None, ip=ip)
    to_recipient = recent.filter(purpose=purpose, recipient=contact.value)
    if requester.count() >= per_requester or to_recipient.count() >= per_recipient:
        raise TooManyCodes()
    return OwnershipChallenge.objects.create(
        purpose=purpose, user=user, id_number=id_number, channel=contact.channel,
        recipient=contact.value, code_hash="", created_at=at, expires_at=at + CODE_LIFETIME, ip=ip,
    )  # fmt: skip


def code_issue(challenge: OwnershipChallenge) -> str:
    """A new code for the challenge: its keyed hash stored (replacing any earlier code's), the
    code itself returned to be sent and never kept."""
    code = f"{secrets.randbelow(10**6):06d}"
    challenge.code_hash = code_digest(challenge.pk, code)
    challenge.save(update_fields=["code_hash"])
    return code


APPLICANT_SMS = (
    "Ma xac nhan nguoi nop ho so: {code}. Hieu luc 10 phut. "
    "Khong dua ma nay cho bat ky ai, ke ca can bo."
)


def code_deliver(contact: Contact, code: str, *, key: str, text: str = "") -> None:
    if contact.channel == SMS:
        sms_gateway().send(
            to=contact.value, text=(text or APPLICANT_SMS).format(code=code), key=key
        )
        return
    EmailMessage(
        subject="Mã xác nhận người nộp hồ sơ / Applicant verification code",
        body=(
            f"Mã xác nhận của bạn là {code}, có hiệu lực trong 10 phút.\n"
            "Không đưa mã này cho bất kỳ ai, kể cả cán bộ.\n\n"
            f"Your verification code is {code}; it is valid for 10 minutes.\n"
        ),
        to=[contact.value],
    ).send()


def challenge_answer(*, challenge_id: int, code: str, at: datetime.datetime) -> OwnershipChallenge:
    """The challenge, marked used, when ``code`` is right; every try counts, right or wrong."""
    code = "".join(ch for ch in code if ch.isascii() and ch.isdigit())
    with transaction.atomic():
        challenge = OwnershipChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        if (
            challenge is None
            or challenge.used_at is not None
            or challenge.expires_at <= at
            or challenge.attempts >= MAX_TRIES
        ):
            raise CodeExpired()
        challenge.attempts += 1
        right = hmac.compare_digest(challenge.code_hash, code_digest(challenge.pk, code))
        if right:
            challenge.used_at = at
        challenge.save(update_fields=["attempts", "used_at"])
    if not right:
        if challenge.attempts >= MAX_TRIES:
            raise CodeExpired()
        raise WrongCode(MAX_TRIES - challenge.attempts)
    return challenge


def dossiers_link(*, user: User, challenge: OwnershipChallenge, at: datetime.datetime) -> int:
    """Link every dossier of the challenge's ID number that records the contact it was sent to."""
    contact = Contact(challenge.channel, challenge.recipient)
    proven = [
        dossier
        for dossier in unproven_dossiers(challenge.id_number, user).only("pk", "applicant")
        if contact in contacts_of(dossier)
    ]
    with transaction.atomic():
        ApplicantLink.objects.bulk_create(
            [
                ApplicantLink(
                    user=user,
                    dossier=dossier,
                    method=f"code_{challenge.channel}",
                    proof=f"ownership-challenge:{challenge.pk}",
                    linked_at=at,
                )
                for dossier in proven
            ],
            ignore_conflicts=True,
        )
    return len(proven)


def holder_has_proof(profile: CitizenProfile) -> bool:
    """The account holding an ID number has proved it: a code answered for its dossiers, or a
    level-2 identity (VNeID) bound to the number, which no SMS code can outweigh."""
    if profile.identity_verified:
        return True
    return ApplicantLink.objects.filter(user_id=profile.user_id).exists()


@dataclass(frozen=True)
class Registration:
    """What someone typed at sign-up when their ID number turned out to be taken."""

    full_name: str
    id_number: str
    phone: str
    email: str
    password_hash: str


def account_reclaim(
    *, registration: Registration, challenge: OwnershipChallenge, at: datetime.datetime
) -> User:
    """The person who answered the code gets the ID number; the account that held it without
    proof is closed (kept, renamed, for the record), and the proven dossiers are linked."""
    if challenge.purpose != RECLAIM or challenge.id_number != registration.id_number:
        raise ReclaimRefused(_("Mã xác nhận không dùng cho số định danh này."))
    with transaction.atomic():
        taken = (
            CitizenProfile.objects.select_for_update()
            .select_related("user")
            .filter(id_number=registration.id_number)
            .first()
        )
        if taken is not None:
            if holder_has_proof(taken):
                raise ReclaimRefused(
                    _(
                        "Tài khoản đang giữ số định danh này đã được xác minh. Hãy đến bộ phận một "
                        "cửa với thẻ căn cước để được hỗ trợ."
                    )
                )
            account_close(taken, at)
        user = citizen_create(
            full_name=registration.full_name, id_number=registration.id_number, password=None,
            phone=registration.phone, email=registration.email,
        )  # fmt: skip
        user.password = registration.password_hash
        user.save(update_fields=["password"])
        OwnershipChallenge.objects.filter(pk=challenge.pk).update(user=user)
        dossiers_link(user=user, challenge=challenge, at=at)
    return user


def account_close(profile: CitizenProfile, at: datetime.datetime) -> None:
    """Free the ID number: the account is deactivated and renamed; its history stays."""
    old = profile.user
    old.is_active = False
    old.username = f"thay-the-{old.pk}-{at:%Y%m%d%H%M%S}"
    old.save(update_fields=["is_active", "username"])
    profile.delete()


def citizen_dossier_filter(user: object) -> Q:
    """Dossiers the account submitted itself, and those it has proved it applied for."""
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if user_id is None:
        return Q(pk__in=[])
    linked = ApplicantLink.objects.filter(user_id=user_id).values("dossier_id")
    return Q(owner_id=user_id) | Q(pk__in=linked)

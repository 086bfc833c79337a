"""What the API reads from a request's body before a service sees it: the applicant's
details, checked as the counter checks them, and a date-time in Hà Nội's time."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Schema

from motcua.accounts.validators import (
    applicant_numbers_check,
    normalise_digits,
    normalise_phone,
)
from motcua.common.errors import composed, in_languages
from motcua.dossiers import services
from motcua.worktime.engine import VIETNAM_OFFSET

from .errors import ApiError


class ApplicantIn(Schema):
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def applicant_from(given: ApplicantIn) -> services.Applicant:
    """Validated applicant details (12-digit personal ID number, 10-digit phone)."""
    id_number, phone = normalise_digits(given.id_number), normalise_phone(given.phone)
    email = given.email.strip()[:254]
    try:
        applicant_numbers_check(id_number, phone)
        if email:
            validate_email(email)
    except ValidationError as invalid:
        errors = invalid.error_list  # told in each language when read
        told = composed(lambda: " ".join(ValidationError(errors).messages))
        vietnamese, english = in_languages(told, "Invalid ID number, phone or e-mail.")
        raise ApiError(422, "invalid_applicant", vietnamese, english) from invalid
    if not given.name.strip():
        raise ApiError(
            422, "invalid_applicant", "Cần họ tên người nộp.", "The applicant's name is required."
        )
    return services.Applicant(
        name=given.name.strip()[:200], id_number=id_number, phone=phone,
        email=email, address=given.address.strip()[:500],
    )  # fmt: skip


def hanoi_time(value: datetime.datetime | None) -> datetime.datetime | None:
    """A naive date-time is Hà Nội time; a bare date (midnight) means the close of that day."""
    if value is None or value.tzinfo is not None:
        return value
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        value = value.replace(hour=17)
    return value.replace(tzinfo=VIETNAM_OFFSET)

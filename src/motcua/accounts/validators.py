"""Vietnamese identifiers: personal ID number, phone number, tax code.

Each validator raises a ``ValidationError`` that says what to type, in Vietnamese (English through
the translation catalogue).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.common.clock import today

# Province codes that open a 12-digit personal ID number (Circular 07/2016/TT-BCA, Annex I).
# They are the 63 pre-2025 provinces; numbers already issued keep them after the 2025 mergers.
ID_PROVINCE_CODES = frozenset(
    (
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
        "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
        "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096 "
    ).split()
)
DIGITS_ONLY = re.compile(r"^[0-9]+\Z")
PHONE = re.compile(r"^0[0-9]{9}\Z")
TAX_CODE = re.compile(r"^[0-9]{10}(?:-?[0-9]{3})?\Z")


def normalise_digits(value: str) -> str:
    """Drop the spaces, dots, dashes and brackets people type between groups of digits."""
    return re.sub(r"[\s.\-()]", "", value or "")


def normalise_tax_code(value: str) -> str:
    """ "0101 234 567", "0101.234.567-001", "0101234567001" → "0101234567" / "0101234567-001"."""
    digits = normalise_digits(value)
    return f"{digits[:10]}-{digits[10:]}" if len(digits) == 13 else digits


def normalise_phone(value: str) -> str:
    """ "+84 912 345 678", "84912345678", "(091) 2345678" → "0912345678"."""
    digits = normalise_digits(value)
    if digits.startswith("+84"):
        return "0" + digits[3:]
    if digits.startswith("84") and len(digits) == 11:
        return "0" + digits[2:]
    return digits


def validate_personal_id_number(value: str) -> None:
    """Personal ID number (số định danh cá nhân, CCCD): 12 digits.

    Digits 1-3 are the province of birth registration, digit 4 the century and sex, digits 5-6
    the year of birth (Decree 137/2015/NĐ-CP art. 13; Circular 07/2016/TT-BCA).
    """
    if not DIGITS_ONLY.match(value or "") or len(value) != 12:
        raise ValidationError(
            _("Số định danh cá nhân gồm đúng 12 chữ số (ví dụ 001090012345)."), code="id_format"
        )
    if value[:3] not in ID_PROVINCE_CODES:
        raise ValidationError(
            _(
                "3 chữ số đầu (%(code)s) không phải mã tỉnh, thành phố hợp lệ. Kiểm tra lại số trên thẻ."
            ),
            code="id_province",
            params={"code": value[:3]},
        )
    century = 1900 + 100 * (int(value[3]) // 2)
    if century + int(value[4:6]) > today().year:
        raise ValidationError(
            _("Chữ số thứ 4–6 cho năm sinh ở tương lai. Kiểm tra lại số trên thẻ."),
            code="id_birth_year",
        )


def validate_phone(value: str) -> None:
    if not PHONE.match(value or ""):
        raise ValidationError(
            _("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678)."), code="phone"
        )


def applicant_numbers_check(id_number: str, phone: str) -> None:
    """An applicant's personal ID number and phone, either of which may be left blank."""
    if id_number:
        validate_personal_id_number(id_number)
    if phone:
        validate_phone(phone)


def validate_tax_code(value: str) -> None:
    if not TAX_CODE.match(value or ""):
        raise ValidationError(
            _(
                "Mã số thuế gồm 10 chữ số, hoặc 13 chữ số với đơn vị phụ thuộc (ví dụ 0101234567-001)."
            ),
            code="tax_code",
        )

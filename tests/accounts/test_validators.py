"""Personal ID numbers, phones and tax codes: what passes and what people are told."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from motcua.accounts.validators import (
    ID_PROVINCE_CODES,
    normalise_digits,
    validate_personal_id_number,
    validate_phone,
    validate_tax_code,
)

provinces = st.sampled_from(sorted(ID_PROVINCE_CODES))
twentieth_century_births = st.tuples(
    provinces, st.sampled_from("01"), st.integers(0, 99), st.integers(0, 999999)
).map(lambda t: f"{t[0]}{t[1]}{t[2]:02d}{t[3]:06d}")


@given(twentieth_century_births)
def test_any_well_formed_number_passes(number: str) -> None:
    validate_personal_id_number(number)


@given(st.text(alphabet="0123456789", max_size=20).filter(lambda s: len(s) != 12))
def test_a_number_without_exactly_12_digits_is_refused(number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_personal_id_number(number)
    assert caught.value.code == "id_format"


@pytest.mark.parametrize("number", ["00109001234a", "001 09001234", "００１０９００１２３４５"])
def test_non_digits_are_refused(number: str) -> None:
    with pytest.raises(ValidationError):
        validate_personal_id_number(number)


def test_an_unknown_province_code_is_refused_with_a_hint() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_personal_id_number("099090012345")
    assert caught.value.code == "id_province"
    assert "099" in str(caught.value.message % caught.value.params)


def test_a_birth_year_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_personal_id_number("001399012345")  # born 2099
    assert caught.value.code == "id_birth_year"


def test_the_message_says_what_to_type() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_personal_id_number("123")
    assert "12 chữ số" in str(caught.value.message)


@pytest.mark.parametrize("phone", ["0912345678", "0243826789"])
def test_ten_digit_phone_numbers_starting_with_zero_pass(phone: str) -> None:
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["912345678", "09123456789", "+84912345678", "09123x5678"])
def test_other_phone_numbers_are_refused(phone: str) -> None:
    with pytest.raises(ValidationError):
        validate_phone(phone)


@pytest.mark.parametrize("code", ["0101234567", "0101234567-001", "0101234567001"])
def test_tax_codes_of_10_or_13_digits_pass(code: str) -> None:
    validate_tax_code(code)


@pytest.mark.parametrize("code", ["010123456", "01012345678", "0101234567-01", "MST0101234"])
def test_other_tax_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        validate_tax_code(code)


def test_separators_people_type_are_dropped() -> None:
    assert normalise_digits("001 090.012-345") == "001090012345"


def test_a_trailing_newline_is_not_a_digit() -> None:
    with pytest.raises(ValidationError):
        validate_personal_id_number("001090012345\n")


@pytest.mark.parametrize(
    "typed", ["+84 912 345 678", "84912345678", "(091) 2345678", "0912.345.678"]
)
def test_phone_numbers_as_people_write_them_are_normalised(typed: str) -> None:
    from motcua.accounts.validators import normalise_phone

    assert normalise_phone(typed) == "0912345678"
    validate_phone(normalise_phone(typed))

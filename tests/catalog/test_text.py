"""Folding Vietnamese text: accents, đ, case and tone placement never matter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.common.text import fold, fold_words

vietnamese = st.text(
    alphabet=st.sampled_from(
        list(
            "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ .,;-1234567890"
        )
    ),
    max_size=40,
)


@given(vietnamese)
def test_folding_is_idempotent(text: str) -> None:
    assert fold_words(fold_words(text)) == fold_words(text)


@given(vietnamese)
def test_case_does_not_matter(text: str) -> None:
    assert fold_words(text.upper()) == fold_words(text)


@given(vietnamese)
def test_folded_text_is_plain_ascii(text: str) -> None:
    assert fold_words(text).isascii()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hoà Bình", "Hòa Bình"),  # old and new tone placement
        ("Thuỷ", "Thủy"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("Đống Đa", "dong da"),
        ("Ủy ban", "uỷ ban"),
    ],
)
def test_spellings_people_use_fold_together(one: str, other: str) -> None:
    assert fold_words(one) == fold_words(other)


def test_decomposed_input_folds_like_composed_input() -> None:
    import unicodedata

    composed = "Thường trú"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed)


def test_codes_keep_their_dots_and_punctuation_splits_words() -> None:
    assert fold_words("Mã 1.004222, (cư trú).") == "ma 1.004222 cu tru"

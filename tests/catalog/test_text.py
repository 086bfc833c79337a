"""Folding Vietnamese text: accents, đ, case and tone placement never matter."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.common.text import fold, fold_words, unaccent

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


def marks_dropped_one_by_one(decomposed: str) -> str:
    """The definition: every character with a combining class, asked of each character."""
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Letters with the marks of every script (combining characters are rare in plain random text).
MARKS = [chr(c) for c in range(0x300, 0x110000) if unicodedata.combining(chr(c))]
marked = st.text(alphabet=st.sampled_from([*MARKS, *"aeoAĐđ ẠỆ"]), max_size=40)


@given(st.one_of(vietnamese, marked, st.text(max_size=40)))
def test_marks_are_dropped_as_the_per_character_definition_drops_them(text: str) -> None:
    """The marks go with one expression (other planes one by one): the same result as asking
    each character, for Vietnamese and for any Unicode text."""
    nfd = unicodedata.normalize
    folded = nfd("NFD", text.translate(str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})))
    assert fold(text) == nfd("NFC", marks_dropped_one_by_one(folded)).casefold()
    kept_case = nfd("NFD", text.translate(str.maketrans({"đ": "d", "Đ": "D", "ð": "d"})))
    assert unaccent(text) == marks_dropped_one_by_one(kept_case)


def test_marks_of_other_planes_go_too() -> None:
    assert unaccent("a\U0001d165\u0301b") == "ab"  # a musical combining stem, then an acute

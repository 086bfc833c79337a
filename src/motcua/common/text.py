"""Vietnamese text folding for search and comparison.

"Hoà" and "Hòa" (old and new tone placement), "ĐĂNG KÝ" and "dang ky" all fold to the same key:
Unicode decomposition drops tone and vowel marks, "đ" becomes "d", case is folded, punctuation
becomes space. Names are stored as typed; only their folded copies are compared.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z.]+")
_DOT_NOT_IN_NUMBER = re.compile(r"(?<![0-9])\.|\.(?![0-9])")
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
_UNACCENT_TABLE = str.maketrans({"đ": "d", "Đ": "D", "ð": "d"})


# Every character of the Basic Multilingual Plane with a combining class (none lies below
# U+0300), as one regular expression: deleting them in C is several times faster than asking
# unicodedata.combining of each character, which was most of a catalog import's folding.
_COMBINING_BMP = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in range(0x300, 0x10000) if unicodedata.combining(chr(c)))
    + "]"
)


def without_marks(decomposed: str) -> str:
    """``decomposed`` without its combining characters (tone and vowel marks after NFD)."""
    if decomposed.isascii():
        return decomposed
    if max(decomposed) > "\uffff":  # rare: the other planes, one character at a time
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _COMBINING_BMP.sub("", decomposed)


def fold(text: str) -> str:
    """Lowercase, without diacritics, "đ" → "d"; other characters kept (no tokenising)."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_FOLD_TABLE))
    return unicodedata.normalize("NFC", without_marks(decomposed)).casefold()


def unaccent(text: str) -> str:
    """Without diacritics, "đ" → "d", case kept: brandname SMS carries no Vietnamese marks."""
    return without_marks(unicodedata.normalize("NFD", (text or "").translate(_UNACCENT_TABLE)))


def fold_words(text: str) -> str:
    """Folded words separated by single spaces. Dots stay inside numbers and codes (1.004222)."""
    words = _NON_WORD.sub(" ", fold(text))
    return " ".join(_DOT_NOT_IN_NUMBER.sub(" ", words).split())


def tokens(text: str) -> list[str]:
    return fold_words(text).split()


# Vietnamese alphabetical order: ă, â after a; đ after d; ê after e; ô, ơ after o; ư after u.
# Tones only break ties, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
TONE_ORDER = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A sort key that puts "Cầu Giấy" before "Chương Mỹ" and "Đống Đa" after "Dương Nội"."""
    letters: list[int] = []
    tones: list[int] = []
    for char in text.lower():
        parts = unicodedata.normalize("NFD", char)
        base = parts[0] + "".join(mark for mark in parts[1:] if mark in LETTER_MARKS)
        letter = unicodedata.normalize("NFC", base)
        if letter in ALPHABET:
            letters.append(ALPHABET.index(letter))
        else:  # a space ends a word before any letter; digits and signs after the letters
            letters.append(-1 if letter.isspace() else 100 + ord(letter))
        tones.append(max((TONE_ORDER.get(mark, 0) for mark in parts[1:]), default=0))
    return tuple(letters), tuple(tones)


def whole_words(text: str, limit: int) -> str:
    """``text`` when it fits in ``limit`` characters, else its longest start that ends at a word's
    end, with "…": a cut name never ends mid-word ("…của Chín" for "của Chính phủ")."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if text[len(cut)] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def without_controls(text: str) -> str:
    """``text`` without control and invisible format characters (NUL, bidirectional overrides,
    zero-width spaces…), line breaks and tabs kept: PostgreSQL refuses a NUL in text, and text
    made only of such characters must count as empty, not as written."""
    return "".join(
        char for char in text or ""
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf")
    )  # fmt: skip

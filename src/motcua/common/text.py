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


def fold(text: str) -> str:
    """Lowercase, without diacritics, "đ" → "d"; other characters kept (no tokenising)."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def unaccent(text: str) -> str:
    """Without diacritics, "đ" → "d", case kept: brandname SMS carries no Vietnamese marks."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_UNACCENT_TABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_words(text: str) -> str:
    """Folded words separated by single spaces. Dots stay inside numbers and codes (1.004222)."""
    words = _NON_WORD.sub(" ", fold(text))
    return " ".join(_DOT_NOT_IN_NUMBER.sub(" ", words).split())


def tokens(text: str) -> list[str]:
    return fold_words(text).split()

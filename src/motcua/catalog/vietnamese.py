"""Vietnamese words as search compares them: syllables, accents, pairs, sounds, slips.

Vietnamese writes one syllable per word; meaning mostly lives in pairs ("thường trú", "khai sinh",
"hộ kinh doanh"). A text is indexed under *terms*: its syllables and its adjacent pairs
("thuong_tru"), which the ranking (``catalog.search``, BM25) scores like any other word. A pair
is rarer than either syllable, so a record with the words together ranks above one with them
apart.

Two spellings of each syllable are compared:
- **folded** (``common.text.fold_words``): no accents, "đ" as "d", lower case, and "y" after a
  consonant as "i" ("đăng kí" = "đăng ký"). Everything is searched this way, so accents are
  optional.
- **accented**: letters with their marks, the tone as a digit after them ("biến" → "biên5",
  "hoà" and "hòa" → "hoa2"). A query typed with accents is also compared this way, so "biến
  động" prefers "biến động" to "biện pháp", and "được" is not "dược".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from motcua.common.text import fold

from .search_columns import TermSet

CONSONANT_Y = re.compile(r"^(qu|[bcdđghklmnprstvx]+)y$")
ONSET = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdfghjklmnprstvxzw])?(.*)$")
SAME_ONSET = {"tr": "ch", "x": "s", "gi": "d", "r": "d", "ngh": "ng", "gh": "g", "k": "c", "l": "n",
              "ph": "f", "z": "d", "j": "d", "w": "u"}  # fmt: skip
SAME_FINAL = (("nh", "n"), ("ng", "n"), ("ch", "t"), ("c", "t"))
TELEX_MARKS = (("dd", "d"), ("aw", "a"), ("aa", "a"), ("ee", "e"), ("oo", "o"), ("ow", "o"),
               ("uw", "u"), ("w", "u"))  # fmt: skip
TELEX_TONE = re.compile(r"^(.*[aeiouy].*)[sfrxj]$")
LETTERS = re.compile(r"^[a-z]+$")
WORD = re.compile(r"[^\W_]+")
NON_WORD = re.compile(r"[^0-9a-z.]+")  # as common.text.fold_words
DOT_NOT_IN_NUMBER = re.compile(r"(?<![0-9])\.|\.(?![0-9])")
TONES = {"\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0301": "5", "\u0323": "6"}
COMMON = 5  # a phrase used by this many names is the catalog's own wording


class FoldTable(dict[int, str]):
    """``common.text.fold`` one character at a time, each worked out once: ``str.translate``
    with it folds a text like ``fold`` (which works on a whole text: decomposition, marks
    dropped, composition, case) many times faster, which matters for an index of 50,000 texts."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold(chr(code))
        return folded


FOLD = FoldTable()


@functools.lru_cache(maxsize=65_536)
def normal(syllable: str) -> str:
    """One spelling per syllable: "ky" → "ki", "quy" → "qui" (both spellings are in use)."""
    return CONSONANT_Y.sub(r"\1i", syllable)


def syllables(text: str) -> list[str]:
    """Folded syllables (``common.text.fold_words``), "y" after a consonant as "i"."""
    words = NON_WORD.sub(" ", (text or "").translate(FOLD))
    if "." in words:
        words = DOT_NOT_IN_NUMBER.sub(" ", words)
    return [normal(word) for word in words.split()]


@functools.lru_cache(maxsize=65_536)
def accent(word: str) -> str:
    """A word's accented key: lower case, letters with their marks, the tone as a digit after
    them ("Biến" → "biên5", "hoà" = "hòa" → "hoa2"); "" for a word without letters."""
    tone = "1"
    letters = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in TONES:
            tone = TONES[char]
        else:
            letters.append(char)
    base = normal(unicodedata.normalize("NFC", "".join(letters)))
    return base + tone if base.isalpha() else base


def forget() -> None:
    """Empty the spelling caches (after an index build filled them with every word)."""
    normal.cache_clear()
    accent.cache_clear()


def accents(text: str) -> list[str]:
    """The accented keys of a text's words (numbers as they are)."""
    return [accent(word) for word in WORD.findall(text or "")]


def typed_with_accents(text: str) -> bool:
    """Whether a person typed this with accents (then a bare "a" is really "a", not "á")."""
    return (text or "").translate(FOLD) != (text or "").lower()


def pair(first: str, second: str) -> str:
    return f"{first}_{second}"


def terms(words: Sequence[str]) -> list[str]:
    """The terms a text is indexed under: its syllables and its adjacent pairs."""
    return [*words, *[f"{a}_{b}" for a, b in pairwise(words)]]


def sound(syllable: str) -> str:
    """A key shared by syllables that sound alike in some region or are often confused."""
    match = ONSET.match(syllable)
    onset, rhyme = (match.group(1) or "", match.group(2)) if match else ("", syllable)
    for end, same in SAME_FINAL:
        if rhyme.endswith(end):
            rhyme = rhyme[: -len(end)] + same
            break
    return SAME_ONSET.get(onset, onset) + rhyme


def telex(syllable: str) -> str:
    """The syllable meant when a Telex keyboard's marks were typed as letters ("ddawngf")."""
    for marks, letter in TELEX_MARKS:
        syllable = syllable.replace(marks, letter)
    toned = TELEX_TONE.match(syllable)
    return normal(toned.group(1) if toned else syllable)


@dataclass(frozen=True, slots=True)
class HashedTable:
    """A table of tuples of texts found by their key's hash (``TermSet``): its 9,906 keys, the
    sound keys of the catalog's pairs, were 0.6 MB of strings in every worker."""

    keys: TermSet  # key → position in ``rows``
    rows: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, table: Mapping[str, tuple[str, ...]]) -> HashedTable:
        return cls(TermSet.numbered({key: n for n, key in enumerate(table)}), tuple(table.values()))

    def get(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        position = self.keys.get(key, -1)
        return self.rows[position] if position >= 0 else default


@dataclass(frozen=True)
class Vocabulary:
    """The syllables and pairs the catalog's names and fields use, with how many records use
    each: what a slip is corrected towards, and what counts as the catalog's own wording."""

    words: Mapping[str, int]
    # 16,996 pairs and their counts, looked up by hash (as the index's terms): 0.8 MB as a dict.
    pairs: TermSet
    sounds: Mapping[str, tuple[str, ...]]  # sound key of a syllable → known syllables
    pair_sounds: HashedTable  # sound key of a pair → known pairs (2+ uses)
    choices: tuple[str, ...]  # the known syllables made of letters, for edit distance

    @classmethod
    def of(cls, texts: Iterable[list[str]]) -> Vocabulary:
        words: dict[str, int] = {}
        pairs: dict[str, int] = {}
        for text in texts:
            for word in set(text):
                words[word] = words.get(word, 0) + 1
            for both in {pair(a, b) for a, b in pairwise(text)}:
                pairs[both] = pairs.get(both, 0) + 1
        sounds: dict[str, list[str]] = {}
        for word in words:
            sounds.setdefault(sound(word), []).append(word)
        pair_sounds: dict[str, list[str]] = {}
        for both, count in pairs.items():
            if count >= 2:
                first, second = both.split("_")
                pair_sounds.setdefault(pair(sound(first), sound(second)), []).append(both)
        return cls(
            words,
            TermSet.numbered(pairs),
            {k: tuple(v) for k, v in sounds.items()},
            HashedTable.of({k: tuple(v) for k, v in pair_sounds.items()}),
            tuple(w for w in words if LETTERS.match(w)),
        )

    def wording(self, words: tuple[str, ...]) -> bool:
        """Whether the catalog itself writes these words: an abbreviation its names use
        ("TNHH"), a phrase whose every pair is common in names ("thương binh")."""
        if len(words) == 1:
            return words[0] in self.words
        return all(self.pairs.get(pair(a, b), 0) >= COMMON for a, b in pairwise(words))


@dataclass(frozen=True, slots=True)
class Names:
    """Every record's name as written and folded, each kept as one long text with the lines'
    offsets (5,670 names were 11,340 string objects, 2.6 MB in every worker; now 1.5 MB), for
    ``written_as``. Line ``i`` of ``folded`` is `` {folded name} `` and ends with a newline."""

    folded: str = ""
    folded_starts: array[int] = field(default_factory=lambda: array("i", [0]))
    written: bytes = b""  # UTF-8
    written_starts: array[int] = field(default_factory=lambda: array("i", [0]))

    @classmethod
    def of(cls, names: Sequence[str], folded_names: Sequence[str]) -> Names:
        folded_lines = [f" {folded} \n" for folded in folded_names]
        written_lines = [name.encode() for name in names]
        return cls(
            "".join(folded_lines), offsets(len(line) for line in folded_lines),
            b"".join(written_lines), offsets(len(line) for line in written_lines),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.folded_starts) - 1

    def folded_name(self, line: int) -> str:
        return self.folded[self.folded_starts[line] + 1 : self.folded_starts[line + 1] - 2]

    def name(self, line: int) -> str:
        return self.written[self.written_starts[line] : self.written_starts[line + 1]].decode()

    def lines_with(self, phrase: str) -> Iterator[int]:
        """The lines (in order) whose `` {folded} `` holds ``phrase`` (no phrase spans two
        lines: it has no newline)."""
        at = self.folded.find(phrase)
        while at >= 0:
            line = bisect_right(self.folded_starts, at) - 1
            yield line
            at = self.folded.find(phrase, self.folded_starts[line + 1])


def offsets(lengths: Iterable[int]) -> array[int]:
    found = array("i", [0])
    for length in lengths:
        found.append(found[-1] + length)
    return found


def written_as(names: Names, words: list[str]) -> list[str] | None:
    """The words as the first name that has them writes them (None: no name has them)."""
    for line in names.lines_with(f" {' '.join(words)} "):
        plain, written = names.folded_name(line).split(), WORD.findall(names.name(line).lower())
        if len(plain) != len(written):
            continue  # a number or sign split differently: look further
        for start in range(len(plain) - len(words) + 1):
            if plain[start : start + len(words)] == words:
                return written[start : start + len(words)]
    return None

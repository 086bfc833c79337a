"""How search reads a query: slips, people's words, fillers, terms (decision 0023).

A query goes through four steps before it is ranked (``catalog.search``):

1. **Slips.** A syllable the catalog never uses is replaced by the closest one it does: typed
   with Telex marks left in ("ddawng kys"), a letter off ("khai sinnh"), or sounding the same
   (the regional mergers tr/ch, s/x, d/gi/r, l/n, ph/f, final n/ng/nh, t/c/ch). A pair of known
   syllables that no name puts together is replaced by a pair that sounds the same and that
   names use ("thuong chu" → "thuong tru"). Each replacement goes into the "did you mean"
   suggestion.
2. **Rewrites** from ``search_terms`` (and the administrators' ``Synonym`` rows), longest
   phrase first: people's words, abbreviations, numbers, English, filler phrases. Where the
   phrase is also the catalog's own wording ("thương binh", "TNHH"), it is searched as typed too.
3. **Fillers.** Filler words ("tôi", "muốn", "cho") are not searched alone, but still join
   their neighbour in a pair ("có yếu tố", "anh hùng"); filler phrases ("có được không", "cần
   những gì") are dropped. Typed without accents, a filler whose letters are a common catalog
   word ("dang" is "đăng" as well as "đang") is kept. A query of nothing but fillers is searched
   as typed.
4. **Terms**: the remaining syllables and the pairs inside each stretch of the query, folded;
   and, for what was typed with accents or came from a table, accented too.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from . import search_terms
from .vietnamese import (
    LETTERS,
    Vocabulary,
    accent,
    accents,
    normal,
    pair,
    sound,
    syllables,
    telex,
    terms,
    typed_with_accents,
)

AMBIGUOUS = 15  # a filler typed without accents is kept if this many names use its letters


class Word(NamedTuple):
    folded: str
    accented: str  # "" when not known: typed without accents, or a corrected slip
    filler: bool = False


@dataclass(frozen=True)
class Rule:
    meaning: tuple[Word, ...]  # empty: a filler phrase, dropped
    english: bool = False
    keep: bool = False  # the phrase is the catalog's own wording too: searched as typed as well


class Terms(NamedTuple):
    folded: list[str]
    accented: list[str]  # for what was typed with accents or came from a table


class Rewrite(NamedTuple):
    """A phrase the tables rewrote. Its meaning counts as much as the phrase typed, not as much
    as its own length ("mở quán" → six words must not drown "karaoke"): ``weight`` is the square
    root of (terms typed / terms meant), at most 1. Where the catalog writes the phrase as typed
    too ("công chứng"), ``typed`` has it, and a record scores the better of the two, not both."""

    meaning: Terms
    weight: float
    typed: Terms | None


@dataclass(frozen=True)
class Parsed:
    terms: Terms  # what was typed and not rewritten
    rewrites: list[Rewrite] = field(default_factory=list)
    meant: list[str] = field(default_factory=list)  # the query's syllables, slips corrected
    corrections: dict[int, str] = field(default_factory=dict)  # position → syllable meant
    pairs: Container[str] = frozenset()  # the pairs the catalog knows

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)


def written_out_tables() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Abbreviations and numbers → their words, folded and accented."""
    folded: dict[str, list[str]] = {}
    accented: dict[str, list[str]] = {}
    for short, long in {**search_terms.NUMBERS, **search_terms.ABBREVIATIONS}.items():
        key = syllables(short)
        if len(key) == 1:
            folded[key[0]] = syllables(long)
            accented[accent(short)] = accents(long)
    return folded, accented


FOLDED_OUT, ACCENTED_OUT = written_out_tables()


def written_out(words: list[str], table: Mapping[str, list[str]]) -> list[str]:
    """A text's words with abbreviations and numbers written out ("công ty TNHH 2 thành viên"
    → "công ty trách nhiệm hữu hạn hai thành viên"), so that a record is found by either form:
    the query goes through the same table (``search_terms.ABBREVIATIONS``, ``NUMBERS``)."""
    if not any(word in table for word in words):
        return words
    return [out for word in words for out in table.get(word, [word])]


def indexed(text: str) -> list[str]:
    """The folded syllables a text is indexed under."""
    return written_out(syllables(text), FOLDED_OUT)


def indexed_accents(text: str) -> list[str]:
    return written_out(accents(text), ACCENTED_OUT)


def words_of(text: str) -> tuple[Word, ...]:
    folded, keys = syllables(text), accents(text)
    if len(keys) != len(folded):
        keys = [""] * len(folded)
    return tuple(Word(f, a) for f, a in zip(folded, keys, strict=True))


# The same for a query's words, before the people's words are looked up ("đăng ký HKD" is
# "đăng ký hộ kinh doanh", which people's words know).
WRITTEN_OUT: dict[str, tuple[Word, ...]] = {
    syllables(short)[0]: words_of(long)
    for short, long in {**search_terms.NUMBERS, **search_terms.ABBREVIATIONS}.items()
    if len(syllables(short)) == 1
}


@dataclass(frozen=True)
class Analyser:
    rules: Mapping[tuple[str, ...], Rule]
    longest: int
    vocabulary: Vocabulary
    fillers: frozenset[str]  # accented keys ("được" → "đươc6")
    bare_fillers: frozenset[str]  # folded, only where no common catalog word reads the same
    function_words: frozenset[str]  # every filler, folded: never the slip in a pair
    english_fillers: frozenset[str]
    rule_words: frozenset[str]  # every syllable of a rule's phrase: not a slip
    rule_pairs: frozenset[str]  # every pair of a rule's phrase: not a slip either
    used: Container[str]  # every term of every text indexed: not a slip

    @classmethod
    def build(
        cls,
        vocabulary: Vocabulary,
        synonyms: Iterable[tuple[str, str]] = (),
        used: Container[str] = frozenset(),
    ) -> Analyser:
        rules: dict[tuple[str, ...], Rule] = {}
        for phrase in search_terms.FILLER_PHRASES:
            rules[tuple(syllables(phrase))] = Rule(())
        tables = (
            (search_terms.ENGLISH, True, False),
            (search_terms.PEOPLE_WORDS, False, True),
            (dict(synonyms), False, True),  # the administrators' phrases win
        )
        for table, english, may_keep in tables:
            for phrase, meaning in table.items():
                words = tuple(syllables(phrase))
                if words:
                    keep = may_keep and vocabulary.wording(words)
                    rules[words] = Rule(words_of(meaning), english, keep)
        fillers = frozenset(accent(w) for w in search_terms.FILLER_WORDS)
        bare = {normal(syllables(w)[0]) for w in search_terms.FILLER_WORDS}
        return cls(
            rules,
            max((len(words) for words in rules), default=1),
            vocabulary,
            fillers,
            frozenset(w for w in bare if vocabulary.words.get(w, 0) < AMBIGUOUS),
            frozenset(bare),
            frozenset(search_terms.ENGLISH_FILLERS),
            frozenset(w for words in rules for w in words) | bare | set(WRITTEN_OUT),
            frozenset(pair(a, b) for words in rules for a, b in pairwise(words)),
            used,
        )

    def parse(self, query: str) -> Parsed:
        folded, keys = [], []
        with_accents = typed_with_accents(query)
        for piece in query.split():
            own = syllables(piece)
            marked = accents(piece) if with_accents else []
            folded.extend(own)
            keys.extend(marked if len(marked) == len(own) else [""] * len(own))
        corrections = self.corrections(folded)
        meant = [corrections.get(i, w) for i, w in enumerate(folded)]
        words = [
            Word(w, keys[i], self.filler(w, keys[i])) if i not in corrections else Word(w, "")
            for i, w in enumerate(meant)
        ]
        found, rewrites = self.terms_of(
            [out for word in words for out in WRITTEN_OUT.get(word.folded, (word,))]
        )
        return Parsed(found, rewrites, meant, corrections, self.vocabulary.pairs)

    def filler(self, folded: str, accented: str) -> bool:
        return accented in self.fillers if accented else folded in self.bare_fillers

    # ----------------------------------------------------------------------------- slips
    def known(self, word: str) -> bool:
        return (
            word in self.vocabulary.words
            or word in self.rule_words
            or word in self.english_fillers
            or not LETTERS.match(word)
        )

    def corrections(self, words: list[str]) -> dict[int, str]:
        """Slips by position; a syllable inside a phrase of the tables is not one."""
        corrections: dict[int, str] = {}
        for position, word in enumerate(words):
            if len(word) >= 2 and not self.known(word):
                neighbours = words[max(0, position - 1) : position + 2 : 2]
                better = self.closest(word, neighbours)
                if better:
                    corrections[position] = better
        meant = [corrections.get(i, w) for i, w in enumerate(words)]
        phrased = self.in_phrases(meant)
        for position, (first, second) in enumerate(pairwise(meant)):
            if position in phrased or position + 1 in phrased:
                continue
            better_pair = self.closest_pair(first, second)
            if better_pair:
                corrections[position], corrections[position + 1] = better_pair
        return corrections

    def in_phrases(self, words: list[str]) -> set[int]:
        """Positions inside a phrase of several words that the tables know ("lấy chồng")."""
        inside: set[int] = set()
        for position in range(len(words)):
            size, rule = self.rule_at(words, position, english=True)
            if rule is not None and size > 1:
                inside.update(range(position, position + size))
        return inside

    def closest(self, word: str, neighbours: list[str]) -> str:
        """The known syllable meant: Telex marks decoded, else the one that sounds the same or
        is a letter or two away, preferring one the neighbours are used with, then the closer,
        then the more common."""
        decoded = telex(word)
        if decoded != word and decoded in self.vocabulary.words:
            return decoded
        known = self.vocabulary
        candidates = set(known.sounds.get(sound(word), ()))
        limit = 1 if len(word) <= 5 else 2
        candidates.update(
            choice
            for choice, _distance, _i in process.extract(
                word, known.choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=20
            )
        )

        def fit(candidate: str) -> tuple[int, int, int]:
            together = sum(
                known.pairs.get(pair(candidate, n), 0) + known.pairs.get(pair(n, candidate), 0)
                for n in neighbours
            )
            return (-together, Levenshtein.distance(word, candidate), -known.words[candidate])

        if not candidates:
            return ""
        best = min(sorted(candidates), key=fit)
        # Beside other words, the syllable meant is one names use with one of them: a word the
        # catalog never uses ("bếp") is not a slip of a common one ("bên").
        return best if not neighbours or fit(best)[0] < 0 else ""

    def closest_pair(self, first: str, second: str) -> tuple[str, str] | None:
        """The pair meant by two known syllables no name puts together, if one that sounds the
        same is used by names ("thuong chu" → "thuong tru")."""
        both = pair(first, second)
        if (
            both in self.vocabulary.pairs
            or first in self.function_words
            or second in self.function_words
            or not (LETTERS.match(first) and LETTERS.match(second))
            or both in self.rule_pairs
            or both in self.used
        ):
            return None
        alike = self.vocabulary.pair_sounds.get(pair(sound(first), sound(second)), ())
        if not alike:
            return None
        best = max(sorted(alike), key=self.vocabulary.pairs.get)
        meant_first, meant_second = best.split("_")
        return meant_first, meant_second

    # ----------------------------------------------------------------------------- terms
    def rewritten(
        self, words: list[Word]
    ) -> tuple[list[list[Word]], list[tuple[list[Word], list[Word], bool]]]:
        """Stretches of words typed and not rewritten, and the rewrites as (meaning, typed,
        whether the typed phrase is searched too)."""
        folded = [w.folded for w in words]
        english = self.english_in(folded)
        stretches: list[list[Word]] = [[]]
        rewrites: list[tuple[list[Word], list[Word], bool]] = []
        position = 0
        while position < len(words):
            size, rule = self.rule_at(folded, position, english)
            if rule is None:
                if english and folded[position] in self.english_fillers:
                    stretches.append([])
                else:
                    stretches[-1].append(words[position])
                position += 1
                continue
            if rule.meaning:
                rewrites.append((list(rule.meaning), words[position : position + size], rule.keep))
            stretches.append([])
            position += size
        return [s for s in stretches if s], rewrites

    def rule_at(self, words: list[str], position: int, english: bool) -> tuple[int, Rule | None]:
        for size in range(min(self.longest, len(words) - position), 0, -1):
            rule = self.rules.get(tuple(words[position : position + size]))
            if rule is not None and (english or not rule.english or size > 1 or not rule.meaning):
                return size, rule
        return 1, None

    def english_in(self, words: list[str]) -> bool:
        return any(
            self.rules.get(tuple(words[p : p + size]), Rule(())).english
            for p in range(len(words))
            for size in range(1, self.longest + 1)
        )

    def terms_of(self, words: list[Word]) -> tuple[Terms, list[Rewrite]]:
        stretches, rewrites = self.rewritten(words)
        if all(w.filler for stretch in stretches for w in stretch) and not rewrites:
            plain = [w._replace(filler=False) for w in words]  # search what was typed
            return terms_in([plain]), []
        out = []
        for meaning, typed, keep in rewrites:
            meant = terms_in([meaning])
            weight = min(1.0, (len(terms_in([typed]).folded) / len(meant.folded)) ** 0.5)
            out.append(Rewrite(meant, weight, terms_in([typed]) if keep else None))
        return terms_in(stretches), out


def terms_in(stretches: list[list[Word]]) -> Terms:
    folded: list[str] = []
    accented: list[str] = []
    for stretch in stretches:
        folded.extend(w.folded for w in stretch if not w.filler)
        accented.extend(w.accented for w in stretch if not w.filler and w.accented)
        for a, b in pairwise(stretch):
            if not (a.filler and b.filler):
                folded.append(pair(a.folded, b.folded))
                if a.accented and b.accented:
                    accented.append(pair(a.accented, b.accented))
    return Terms(folded, accented)


def suggestion(query: str, parsed: Parsed, spell: Callable[[list[str]], list[str] | None]) -> str:
    """The query as the person typed it, each corrected word as the catalog writes it (with its
    accents, read in a name that has it next to the same neighbour: "trú" of "thường trú"); a
    query typed without accents gets them on every word a name has ("đăng ký thường trú")."""
    meant, known = parsed.meant, parsed.pairs
    respell_all = not typed_with_accents(query)
    out: list[str] = []
    position = 0
    for piece in query.split():
        span = range(position, position + len(syllables(piece)))
        position += len(span)
        if not span or not (respell_all or any(i in parsed.corrections for i in span)):
            out.append(piece)
            continue
        written = []
        for i in span:
            start = i - 1 if i > 0 and pair(meant[i - 1], meant[i]) in known else i
            end = i + 2 if i + 1 < len(meant) and pair(meant[i], meant[i + 1]) in known else i + 1
            # A word alone has many accented readings ("se": sẻ, sẽ, xe…): only a corrected
            # one, or one in a pair that names use, is given its accents.
            found = spell(meant[start:end]) if i in parsed.corrections or end - start > 1 else None
            written.append(found[i - start] if found else meant[i])
        out.append(" ".join(written))
    return " ".join(out)


__all__ = [
    "Analyser",
    "Parsed",
    "Terms",
    "Vocabulary",
    "indexed",
    "indexed_accents",
    "suggestion",
    "terms",
]

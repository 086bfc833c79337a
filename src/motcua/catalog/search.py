"""Procedure search that understands how people write Vietnamese.

The catalog (a few thousand procedures) is indexed in memory from the database: folded words
(accents, "đ", case and tone placement ignored), an inverted index, and the synonym table. Ranking
and filtering happen in Python, so SQLite and PostgreSQL give identical results by construction.

Ranking, strongest first: exact code; the whole query as a phrase in the name (the name itself,
then its beginning, then anywhere); how much of the query the name covers; adjacent word pairs of
the query found in the name; then how common the procedure is.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from motcua.common.text import fold_words

from .models import Procedure, Synonym
from .revision import catalog_token

CODE_QUERY = re.compile(r"^(\d\.\d{6})(?:\.\d{1,3})?$")
# What people add around what they want ("tôi muốn làm … như thế nào"): dropped at the start or
# the end of a query, and "thủ tục" anywhere, as long as something remains.
LEADING_FILLER = re.compile(r"^((toi|minh|em|can|muon|xin|cach|lam|thu tuc|phai)\s+)+")
TRAILING_FILLER = re.compile(
    r"(\s+(nhu the nao|the nao|o dau|can gi|can nhung gi|gom nhung gi|la gi|a|nhe|voi|di))+$"
)


@dataclass(frozen=True)
class Doc:
    pk: int
    code: str
    name: str  # folded, words separated by spaces
    padded_name: str  # " name ", for whole-word phrase tests
    core_name: str  # the name without a leading "thủ tục"
    name_words: frozenset[str]
    name_pairs: frozenset[tuple[str, str]]
    words: frozenset[str]
    field_id: int | None
    field_code: str
    level: str
    commune_body: str
    online_level: str
    kind: str
    in_hanoi_set: bool
    applicants: tuple[str, ...]  # folded applicant types
    deciding_unit_id: int | None
    receiving_unit_ids: frozenset[int]
    popularity: int


@dataclass(frozen=True)
class Filters:
    field: str = ""  # field id or code
    level: str = ""
    online: str = ""
    unit_ids: frozenset[int] | None = None  # procedures handled by these units
    unit_kind: str = ""  # ward/commune/commune_police: handled at commune level
    applicant: str = ""
    kind: str = ""
    scope: str = "hanoi"  # "hanoi" or "all"


@dataclass
class SearchIndex:
    docs: list[Doc] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    # The same postings as arrays, for the name words and all words: coverage is summed with
    # a few vector additions instead of a loop over thousands of candidates.
    text_arrays: dict[str, np.ndarray] = field(default_factory=dict)
    name_arrays: dict[str, np.ndarray] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    synonyms: list[tuple[str, str]] = field(default_factory=list)


def pairs(words: list[str]) -> frozenset[tuple[str, str]]:
    return frozenset(pairwise(words))


def index_build() -> SearchIndex:
    index = SearchIndex()
    receiving: dict[int, set[int]] = {}
    for procedure_id, unit_id in Procedure.receiving_units.through.objects.values_list(
        "procedure_id", "unit_id"
    ):
        receiving.setdefault(procedure_id, set()).add(unit_id)
    rows = Procedure.objects.values_list(
        "pk", "code", "name_folded", "search_text", "field_id", "field__code", "level",
        "commune_body", "online_level", "kind", "in_hanoi_set", "applicant_types",
        "deciding_unit_id", "popularity",
    ).order_by("code")  # fmt: skip
    for row in rows:
        (pk, code, name, text, field_id, field_code, level, commune_body, online, kind, hanoi,
         applicants, deciding, popularity) = row  # fmt: skip
        name_words = name.split()
        doc = Doc(
            pk, code, name, f" {name} ", name.removeprefix("thu tuc "), frozenset(name_words), pairs(name_words), frozenset(text.split()),
            field_id, field_code or "", level, commune_body, online, kind, hanoi,
            tuple(fold_words(a) for a in applicants or []), deciding, frozenset(receiving.get(pk, ())),
            popularity,
        )  # fmt: skip
        position = len(index.docs)
        index.docs.append(doc)
        best = index.by_code.get(code)
        if best is None or (hanoi and not index.docs[best].in_hanoi_set):
            index.by_code[code] = position  # a shared code means the Hà Nội record
        for word in doc.words:
            index.postings.setdefault(word, []).append(position)
    total = max(1, len(index.docs))
    index.idf = {w: math.log(1 + total / len(p)) for w, p in index.postings.items()}
    index.text_arrays = {w: np.array(p, dtype=np.int32) for w, p in index.postings.items()}
    name_postings: dict[str, list[int]] = {}
    for position, doc in enumerate(index.docs):
        for word in doc.name_words:
            name_postings.setdefault(word, []).append(position)
    index.name_arrays = {w: np.array(p, dtype=np.int32) for w, p in name_postings.items()}
    index.synonyms = sorted(
        (
            (phrase, fold_words(expansion))
            for phrase, expansion in Synonym.objects.values_list("phrase_folded", "expansion")
        ),
        key=lambda item: -len(item[0]),
    )
    return index


def query_variants(query: str, synonyms: list[tuple[str, str]]) -> list[tuple[str, bool]]:
    """The query as typed, plus one variant per synonym phrase found in it (flagged True)."""
    variants = [(query, False)]
    padded = f" {query} "
    for phrase, expansion in synonyms:
        if f" {phrase} " in padded:
            variants.append((padded.replace(f" {phrase} ", f" {expansion} ").strip(), True))
    return variants


def meaningful(words: list[str]) -> list[str]:
    text = " ".join(words)
    trimmed = TRAILING_FILLER.sub("", LEADING_FILLER.sub("", text)).replace("thu tuc ", "").strip()
    return (trimmed or text).split()


def matches(doc: Doc, filters: Filters) -> bool:
    if filters.scope != "all" and not doc.in_hanoi_set:
        return False
    if filters.field and filters.field not in (str(doc.field_id), doc.field_code):
        return False
    if filters.level and doc.level != filters.level:
        return False
    if filters.online and doc.online_level != filters.online:
        return False
    if filters.kind and doc.kind != filters.kind:
        return False
    if filters.applicant:
        wanted = fold_words(filters.applicant)
        if not any(applicant.startswith(wanted) for applicant in doc.applicants):
            return False
    return unit_matches(doc, filters)


def unit_matches(doc: Doc, filters: Filters) -> bool:
    if filters.unit_kind:
        wanted = "police" if filters.unit_kind == "commune_police" else "people_committee"
        return doc.level == "commune" and doc.commune_body == wanted
    if filters.unit_ids is None:
        return True
    return doc.deciding_unit_id in filters.unit_ids or bool(
        doc.receiving_unit_ids & filters.unit_ids
    )


MIN_COVERAGE = 0.6  # share of the query's weight a procedure must contain to be a result


@dataclass(frozen=True)
class Query:
    phrase: str
    weighted: list[tuple[str, float]]
    total: float
    word_pairs: frozenset[tuple[str, str]]
    synonym: bool


def prepared(words: list[str], index: SearchIndex, synonym: bool) -> Query:
    weighted = [(w, index.idf.get(w, 0.0)) for w in words]
    total = sum(weight for _w, weight in weighted) or 1.0
    return Query(" ".join(words), weighted, total, pairs(words), synonym)


def coverage(arrays: dict[str, np.ndarray], query: Query, size: int) -> np.ndarray:
    """Per procedure, the weight of the query words it contains."""
    total = np.zeros(size, dtype=np.float64)
    for word, weight in query.weighted:
        postings = arrays.get(word)
        if postings is not None:
            total[postings] += weight
    return total


def score(doc: Doc, query: Query, in_text: float, in_name: float) -> float:
    result = 30 * in_name / query.total + 15 * in_text / query.total
    phrase = query.phrase
    if doc.core_name == phrase:
        result += 120
    elif doc.core_name.startswith(phrase + " "):
        result += 70
    elif f" {phrase} " in doc.padded_name:
        result += 50
    if query.word_pairs:
        result += 25 * len(query.word_pairs & doc.name_pairs) / len(query.word_pairs)
    result += 4 * math.log1p(doc.popularity) + (3 if doc.in_hanoi_set else 0)
    result -= 0.1 * len(doc.name_words)
    return result + (8 if query.synonym else 0)


def ranked(index: SearchIndex, query: str, filters: Filters) -> list[int]:
    """Positions of matching docs, best first; an empty query lists by popularity."""
    folded = fold_words(query)
    if not folded:
        chosen = [i for i, d in enumerate(index.docs) if matches(d, filters)]
        return sorted(chosen, key=lambda i: (-index.docs[i].popularity, index.docs[i].code))
    code = CODE_QUERY.match(folded)
    if code and code.group(1) in index.by_code:
        position = index.by_code[code.group(1)]
        return [position] if matches(index.docs[position], filters) else []
    best: dict[int, float] = {}
    size = len(index.docs)
    for variant, synonym in query_variants(folded, index.synonyms):
        parsed = prepared(meaningful(variant.split()), index, synonym)
        in_text = coverage(index.text_arrays, parsed, size)
        in_name = coverage(index.name_arrays, parsed, size)
        for position in np.flatnonzero(in_text >= MIN_COVERAGE * parsed.total - 1e-9).tolist():
            doc = index.docs[position]
            value = score(doc, parsed, float(in_text[position]), float(in_name[position]))
            if value > best.get(position, 0.0) and matches(doc, filters):
                best[position] = value
    return sorted(best, key=lambda i: (-best[i], index.docs[i].code))


class IndexCache:
    """One index per process, rebuilt when the catalog changes (``catalog.revision``: one
    indexed read per request, so every process on every machine sees a change at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._token: str | None = None

    def clear(self) -> None:
        with self._lock:
            self._index = None
            self._token = None

    def get(self) -> SearchIndex:
        token = catalog_token()
        with self._lock:
            if self._index is None or token != self._token:
                # Built after the token was read: at least as new as the token says.
                self._index = index_build()
                self._token = token
            return self._index


INDEX = IndexCache()

"""Procedure search that answers the questions people type (decision 0023).

The catalog (a few thousand records) is indexed in each process's memory: every record's name,
fields, results, documents (with their cases) and applicant types become terms
(``catalog.analysis``: folded syllables and adjacent pairs), scored with BM25 by ``bm25s``, one
index per part of the record, weighted. A query is read the same way (slips corrected, people's
words, abbreviations and English rewritten, fillers dropped), so a record ranks by how much of
what was meant it contains, not by whether it contains every word typed. Ranking happens in
Python over rows read once, so SQLite and PostgreSQL give identical results by construction.

Order: an exact code first; then BM25, times a small boost for common procedures; records
scoring less than ``KEEP`` of the best are left out (noise, not answers).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import bm25s
import numpy as np
from django.db.models import F

from .analysis import Analyser, Parsed, Terms, indexed, indexed_accents, suggestion
from .models import Procedure, ProcedureCase, Requirement, RequirementGroup, Synonym
from .revision import catalog_token
from .vietnamese import Vocabulary, syllables, terms, written_as

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself

CODE_QUERY = re.compile(r"^(\d\.\d{6})(?:\.\d{1,3})?$")
# How much each part of a record counts: the name says what the procedure is; the documents
# and results often answer a question ("cần những gì") but name other procedures' things too.
PARTS: tuple[tuple[str, float], ...] = (
    ("name", 1.0),
    ("fields", 0.3),
    ("results", 0.4),
    ("documents", 0.15),
    ("applicants", 0.15),
)
# BM25's shape for names: a name repeats a word less often for a reason than a document does
# (k1 1.2, bm25s's default 1.5), and a long name is mostly the clarifications in brackets of a
# procedure as common as a short one (b 0.5, default 0.75). Tried k1 0.9–1.5, b 0.3–0.75 on
# tests/catalog/search_queries.py.
SHAPES: dict[str, dict[str, float]] = {"name": {"k1": 1.2, "b": 0.5}}
ACCENTED = 0.5  # the name compared with accents, for a query typed with accents
ACCENTED_PREFIX = ["thu3", "tuc6"]
POPULAR = 0.3  # the most common procedure scores up to 30 % more than a rare one
KEEP = 0.35  # a result scores at least this share of the best result
NAME_PREFIX = ("thu", "tuc")  # "Thủ tục đăng ký khai sinh": the first two words say nothing


@dataclass(frozen=True)
class Doc:
    pk: int
    code: str
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


@dataclass(frozen=True)
class Ranking:
    positions: list[int]
    suggestion: str = ""  # the query with its slips corrected ("did you mean"), or ""


@dataclass
class SearchIndex:
    docs: list[Doc] = field(default_factory=list)
    by_code: dict[str, int] = field(default_factory=dict)
    parts: list[tuple[bm25s.BM25, float]] = field(default_factory=list)
    accented: bm25s.BM25 | None = None  # the names' accented terms
    boost: np.ndarray = field(default_factory=lambda: np.ones(0, dtype=np.float32))
    hanoi: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    names: list[str] = field(default_factory=list)  # as written, for "did you mean"
    folded_names: list[str] = field(default_factory=list)
    analyser: Analyser | None = None


def index_build() -> SearchIndex:
    index = SearchIndex()
    rows = list(
        Procedure.objects.values_list(
            "pk", "code", "name", "field_id", "field__code", "field__name", "level",
            "commune_body", "online_level", "kind", "in_hanoi_set", "applicant_types",
            "deciding_unit_id", "popularity", "results",
        ).order_by("code", "pk")
    )  # fmt: skip
    texts: dict[str, list[list[list[str]]]] = {part: [] for part, _weight in PARTS}
    accented_names: list[list[str]] = []
    position_of: dict[int, int] = {}
    receiving = units_receiving()
    for row in rows:
        (pk, code, name, field_id, field_code, field_name, level, commune_body, online, kind,
         hanoi, applicants, deciding, popularity, results) = row  # fmt: skip
        position_of[pk] = len(index.docs)
        index.docs.append(
            Doc(pk, code, field_id, field_code or "", level, commune_body, online, kind, hanoi,
                tuple(" ".join(syllables(a)) for a in applicants or []), deciding,
                frozenset(receiving.get(pk, ())), popularity)
        )  # fmt: skip
        best = index.by_code.get(code)
        if best is None or (hanoi and not index.docs[best].in_hanoi_set):
            index.by_code[code] = position_of[pk]  # a shared code means the Hà Nội record
        index.names.append(name)
        index.folded_names.append(" ".join(syllables(name)))
        words, keys = indexed(name), indexed_accents(name)
        if tuple(words[:2]) == NAME_PREFIX and len(words) > 2:
            words = words[2:]
        if keys[:2] == ACCENTED_PREFIX and len(keys) > 2:
            keys = keys[2:]
        texts["name"].append([words])
        accented_names.append(terms(keys))
        texts["fields"].append([indexed(field_name or "")])
        texts["results"].append([indexed(r) for r in results or []])
        texts["applicants"].append([indexed(a) for a in applicants or []])
        texts["documents"].append([])
    for procedure_id, text in other_fields():
        texts["fields"][position_of[procedure_id]].append(indexed(text))
    for procedure_id, text in documents():
        texts["documents"][position_of[procedure_id]].append(indexed(text))
    for part, weight in PARTS:
        retriever = bm25s.BM25(**SHAPES.get(part, {}))
        corpus = [[t for words in segments for t in terms(words)] for segments in texts[part]]
        retriever.index(corpus, show_progress=False)
        index.parts.append((retriever, weight))
    index.accented = bm25s.BM25(**SHAPES.get("name", {}))
    index.accented.index(accented_names, show_progress=False)
    popularity = np.array([d.popularity for d in index.docs], dtype=np.float32)
    index.boost = (1 + POPULAR * np.log1p(popularity) / math.log1p(100)).astype(np.float32)
    index.hanoi = np.array([d.in_hanoi_set for d in index.docs], dtype=bool)
    vocabulary = Vocabulary.of(
        words for part in ("name", "fields") for segments in texts[part] for words in segments
    )
    index.analyser = Analyser.build(
        vocabulary,
        Synonym.objects.values_list("phrase", "expansion").order_by("phrase"),
        tuple(retriever.vocab_dict for retriever, _weight in index.parts),
    )
    return index


def units_receiving() -> dict[int, set[int]]:
    receiving: dict[int, set[int]] = {}
    for procedure_id, unit_id in Procedure.receiving_units.through.objects.values_list(
        "procedure_id", "unit_id"
    ):
        receiving.setdefault(procedure_id, set()).add(unit_id)
    return receiving


def other_fields() -> list[tuple[int, str]]:
    through = Procedure.other_fields.through.objects
    return list(through.values_list("procedure_id", F("field__name")))


def documents() -> list[tuple[int, str]]:
    """The documents a procedure asks for, the names of its document groups and of its cases
    ("Trường hợp đăng ký thường trú vào chỗ ở do thuê, mượn, ở nhờ")."""
    return [
        *Requirement.objects.values_list("group__procedure_id", "name"),
        *RequirementGroup.objects.values_list("procedure_id", "name"),
        *ProcedureCase.objects.exclude(name="").values_list("procedure_id", "name"),
    ]


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
        wanted = " ".join(syllables(filters.applicant))
        if not any(applicant.startswith(wanted) for applicant in doc.applicants):
            return False
    return unit_matches(doc, filters)


def unit_matches(doc: Doc, filters: Filters) -> bool:
    """Handled by these units: decided or received there by name, or, for a ward or commune
    (and its police), any procedure of that level and body."""
    if filters.unit_kind:
        wanted = "police" if filters.unit_kind == "commune_police" else "people_committee"
        if doc.level == "commune" and doc.commune_body == wanted:
            return True
    if filters.unit_ids is None:
        return not filters.unit_kind
    return doc.deciding_unit_id in filters.unit_ids or bool(
        doc.receiving_unit_ids & filters.unit_ids
    )


def scores(index: SearchIndex, parsed: Parsed) -> np.ndarray:
    total = scored(index, parsed.terms)
    for rewrite in parsed.rewrites:
        meant = rewrite.weight * scored(index, rewrite.meaning)
        total += meant if rewrite.typed is None else np.maximum(meant, scored(index, rewrite.typed))
    return total * index.boost


def scored(index: SearchIndex, found: Terms) -> np.ndarray:
    """BM25 of each part of each record, weighted and added up."""
    total = np.zeros(len(index.docs), dtype=np.float32)
    parts = [(r, w, found.folded) for r, w in index.parts]
    if index.accented is not None:
        parts.append((index.accented, ACCENTED, found.accented))
    for retriever, weight, words in parts:
        ids = retriever.get_tokens_ids(words) if words else []
        if ids:
            total += weight * retriever.get_scores_from_ids(ids)
    return total


def search(index: SearchIndex, query: str, filters: Filters) -> Ranking:
    """Positions of matching docs, best first; an empty query lists by popularity."""
    folded = " ".join(syllables(query))
    if not folded:
        chosen = [i for i, d in enumerate(index.docs) if matches(d, filters)]
        return Ranking(
            sorted(chosen, key=lambda i: (-index.docs[i].popularity, index.docs[i].code))
        )
    code = CODE_QUERY.match(folded)
    if code and code.group(1) in index.by_code:
        position = index.by_code[code.group(1)]
        return Ranking([position] if matches(index.docs[position], filters) else [])
    assert index.analyser is not None
    parsed = index.analyser.parse(query)
    score = scores(index, parsed)
    candidates = score > 0
    if filters.scope != "all":
        candidates &= index.hanoi
    positions = np.flatnonzero(candidates)
    order = positions[np.lexsort((positions, -score[positions]))].tolist()
    best = reference(index, order, score, filters)
    chosen: list[int] = []
    for position in order:
        if score[position] < KEEP * best:
            break
        if matches(index.docs[position], filters):
            chosen.append(position)
    said = suggestion(query, parsed, spelling(index)) if parsed.corrected and chosen else ""
    return Ranking(chosen, said)


def reference(index: SearchIndex, order: list[int], score: np.ndarray, filters: Filters) -> float:
    """The score results are measured against: the best record of the Hà Nội set that the
    filters let through (so the whole national catalog, ``scope=all``, adds records to what
    the Hà Nội set finds and never takes any away), else the best record let through."""
    docs = index.docs
    best = next((p for p in order if docs[p].in_hanoi_set and matches(docs[p], filters)), None)
    if best is None:
        best = next((p for p in order if matches(docs[p], filters)), None)
    return 0.0 if best is None else float(score[best])


def spelling(index: SearchIndex) -> Callable[[list[str]], list[str] | None]:
    return lambda words: written_as(index.folded_names, index.names, words)


def ranked(index: SearchIndex, query: str, filters: Filters) -> list[int]:
    return search(index, query, filters).positions


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

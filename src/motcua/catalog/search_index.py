"""The search index: the catalog's records read once, their texts scored by BM25 (``bm25s``,
at build time only: a worker keeps each part's scores as arrays, ``search_columns``).

Each part of a record (name, fields, results, documents with their cases, applicant types, and
the name once more with its accents) is a BM25 index of its own, weighted in ``PARTS``: the name
says what the procedure is; documents and results often answer a question ("cần những gì") but
name other procedures' things too. A part is indexed once per distinct text: results and documents only for the 502 records with
details, fields and applicant types once for each of their few hundred combinations; which
text each record has is ``Part.rows``. That makes the build several times faster; the scores of
two records with the same text are the same anyway (BM25 looks at the text only).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from django.db.models import F

from .analysis import FOLDED_OUT, Analyser, indexed, indexed_accents, written_out
from .models import Procedure, ProcedureCase, Requirement, RequirementGroup, Synonym
from .search_columns import Columns, TermSet
from .vietnamese import Names, Vocabulary, forget, syllables, terms

# (part, weight, BM25 shape). Names: a name repeats a word less often for a reason than a
# document does (k1 1.2; bm25s's default 1.5), and a long name is mostly the clarifications in
# brackets of a procedure as common as a short one (b 0.5; default 0.75). Tried k1 0.9–1.5 and
# b 0.3–0.75 on tests/catalog/search_queries.py.
NAME_SHAPE = {"k1": 1.2, "b": 0.5}
PARTS: tuple[tuple[str, float, dict[str, float]], ...] = (
    ("name", 1.0, NAME_SHAPE),
    ("accented", 0.5, NAME_SHAPE),  # only for what a query has with accents
    ("fields", 0.3, {}),
    ("results", 0.4, {}),
    ("documents", 0.15, {}),
    ("applicants", 0.15, {}),
)
POPULAR = 0.3  # the most common procedure scores up to 30 % more than a rare one
NAME_PREFIX = ["thu", "tuc"]  # "Thủ tục đăng ký khai sinh": the first two words say nothing
ACCENTED_PREFIX = ["thu3", "tuc6"]

Texts = list[list[list[str]]]  # per record, its texts, each a list of words
Kept = TypeVar("Kept", bound=Hashable)


@dataclass(frozen=True, slots=True)  # 5,670 of them in every web worker: no __dict__ each
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
class Part:
    name: str
    columns: Columns
    weight: float
    # None: the scores' row i is record i. Else the records that have a text (``present``)
    # and the scores' row of each one's text (``source``).
    present: np.ndarray | None = None
    source: np.ndarray | None = None

    @property
    def accented(self) -> bool:
        return self.name == "accented"


@dataclass
class SearchIndex:
    docs: list[Doc] = field(default_factory=list)
    by_code: dict[str, int] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    boost: np.ndarray = field(default_factory=lambda: np.ones(0, dtype=np.float32))
    hanoi: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    names: Names = field(default_factory=Names)  # as written and folded, for "did you mean"
    analyser: Analyser | None = None


def index_build() -> SearchIndex:
    index = SearchIndex()
    position_of: dict[int, int] = {}  # procedure id → position (the build's only)
    texts = records(index, position_of)
    vocabulary = Vocabulary.of(
        w for part in ("name", "fields") for text in texts[part] for w in text
    )
    for name, weight, shape in PARTS:
        part_texts = texts.pop(name) if name in texts else documents(index, position_of)
        index.parts.append(part_of(name, part_texts, weight, shape))
        del part_texts  # one part's words at a time: the build's peak memory stays low
    popularity = np.array([d.popularity for d in index.docs], dtype=np.float32)
    index.boost = (1 + POPULAR * np.log1p(popularity) / math.log1p(100)).astype(np.float32)
    index.hanoi = np.array([d.in_hanoi_set for d in index.docs], dtype=bool)
    index.analyser = Analyser.build(
        vocabulary,
        Synonym.objects.values_list("phrase", "expansion").order_by("phrase"),
        TermSet.union(part.columns.terms for part in index.parts if not part.accented),
    )
    memory_back()
    return index


def records(index: SearchIndex, position_of: dict[int, int]) -> dict[str, Texts]:
    """Each record into ``index.docs``, and the words of its name (folded and accented),
    fields, results and applicant types."""
    rows = Procedure.objects.values_list(
        "pk", "code", "name", "field_id", "field__code", "field__name", "level", "commune_body",
        "online_level", "kind", "in_hanoi_set", "applicant_types", "deciding_unit_id",
        "popularity", "results",
    ).order_by("code", "pk")  # fmt: skip
    texts: dict[str, Texts] = {
        p: [] for p in ("name", "accented", "fields", "results", "applicants")
    }
    receiving = units_receiving()
    shared: dict[str, list[str]] = {}  # field names and applicant types repeat: read once
    # A record's values repeat across the 5,670: one object each (a worker keeps the index;
    # 5,670 sets of receiving units of only 5 kinds were 2.4 MB), kept shared by the index file.
    same = interning()
    names: list[str] = []
    folded_names: list[str] = []
    for row in rows:
        (pk, code, name, field_id, field_code, field_name, level, commune_body, online, kind,
         hanoi, applicants, deciding, popularity, results) = row  # fmt: skip
        kinds = [shared.get(a) or shared.setdefault(a, indexed(a)) for a in applicants or []]
        position_of[pk] = len(index.docs)
        index.docs.append(
            Doc(pk, code, field_id, same(field_code or ""), same(level), same(commune_body),
                same(online), same(kind), hanoi, same(tuple(" ".join(k) for k in kinds)),
                deciding, same(frozenset(receiving.get(pk, ()))), popularity)
        )  # fmt: skip
        best = index.by_code.get(code)
        if best is None or (hanoi and not index.docs[best].in_hanoi_set):
            index.by_code[code] = position_of[pk]  # a shared code: the Hà Nội record
        folded, keys = syllables(name), indexed_accents(name)
        names.append(name)
        folded_names.append(" ".join(folded))
        texts["name"].append([without(NAME_PREFIX, written_out(folded, FOLDED_OUT))])
        texts["accented"].append([without(ACCENTED_PREFIX, keys)])
        field_words = shared.get(field_name or "") or shared.setdefault(
            field_name or "", indexed(field_name or "")
        )
        texts["fields"].append([field_words])
        texts["results"].append([indexed(r) for r in results or []])
        texts["applicants"].append(kinds)
    for procedure_id, text in other_fields():
        texts["fields"][position_of[procedure_id]].append(indexed(text))
    index.names = Names.of(names, folded_names)
    return texts


def interning() -> Callable[[Kept], Kept]:
    """A function giving back, for each value, the first equal value it was given."""
    kept: dict[object, object] = {}

    def same(value: Kept) -> Kept:
        return kept.setdefault(value, value)  # type: ignore[return-value]

    return same


def without(prefix: list[str], words: list[str]) -> list[str]:
    return (
        words[len(prefix) :]
        if words[: len(prefix)] == prefix and len(words) > len(prefix)
        else words
    )


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


def documents(index: SearchIndex, position_of: dict[int, int]) -> Texts:
    """The documents each procedure asks for, the names of its document groups and of its
    cases ("Trường hợp đăng ký thường trú vào chỗ ở do thuê, mượn, ở nhờ")."""
    texts: Texts = [[] for _ in index.docs]
    for rows in (
        Requirement.objects.values_list("group__procedure_id", "name"),
        RequirementGroup.objects.values_list("procedure_id", "name"),
        ProcedureCase.objects.exclude(name="").values_list("procedure_id", "name"),
    ):
        for procedure_id, text in rows:
            texts[position_of[procedure_id]].append(indexed(text))
    return texts


def part_of(name: str, texts: Texts, weight: float, shape: dict[str, float]) -> Part:
    """A BM25 index of one part, with one row per distinct text that some record has."""
    row_of: dict[tuple[str, ...], int] = {}
    corpus: list[list[str]] = []
    rows = np.full(len(texts), -1, dtype=np.int64)
    for position, record in enumerate(texts):
        found = [t for words in record for t in terms(words)]
        if found:
            key = tuple(found)
            if key not in row_of:
                row_of[key] = len(corpus)
                corpus.append(found)
            rows[position] = row_of[key]
    columns = bm25_columns(corpus or [[]], shape)
    if len(corpus) == len(texts):
        return Part(name, columns, weight)
    present = np.flatnonzero(rows >= 0)
    return Part(name, columns, weight, present, rows[present])


def bm25_columns(corpus: list[list[str]], shape: dict[str, float]) -> Columns:
    """bm25s's index of the texts, kept as its score matrix and terms only (imported here:
    a worker that reads a built index never loads bm25s)."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself
    retriever = bm25s.BM25(**shape)
    retriever.index(corpus, show_progress=False)
    return Columns.of(retriever.vocab_dict, retriever.scores)


def memory_back() -> None:
    """Give what the build used for a moment back to the system. CPython keeps freed objects'
    memory in its arenas and glibc keeps freed heap; after a build that is megabytes a web
    worker would otherwise hold (measured in docs/performance.md)."""
    forget()  # the spelling caches, filled by every word of the catalog
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL(None).malloc_trim(0)

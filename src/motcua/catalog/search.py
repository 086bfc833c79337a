"""Procedure search that answers the questions people type (decision 0023).

The catalog (a few thousand records) is indexed in each process's memory (``search_index``):
every record's name, fields, results, documents (with their cases) and applicant types become
terms (``vietnamese``: folded syllables and adjacent pairs), scored with BM25 by ``bm25s``, one
index per part of the record, weighted. A query is read the same way (``analysis``: slips
corrected, people's words, abbreviations and English rewritten, fillers dropped), so a record
ranks by how much of what was meant it contains, not by whether it contains every word typed.
Ranking happens in Python over rows read once, so SQLite and PostgreSQL give identical results
by construction (ties: by code).

Order: an exact code first; then BM25, times a small boost for common procedures; records
scoring less than ``KEEP`` of the best record of the Hà Nội set are left out (noise, not
answers).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import search_store
from .analysis import Parsed, Terms, suggestion
from .revision import catalog_token
from .search_columns import hashes_of
from .search_index import Doc, SearchIndex, index_build
from .vietnamese import syllables, written_as

CODE_QUERY = re.compile(r"^(\d\.\d{6})(?:\.\d{1,3})?$")
KEEP = 0.35  # a result scores at least this share of the best result


@dataclass(frozen=True)
class Filters:
    field: str = ""  # field id or code
    level: str = ""
    online: str = ""
    unit_ids: frozenset[int] | None = None  # procedures handled by these units
    unit_kind: str = ""  # ward/commune/commune_police: handled at commune level
    # A ward's or commune's counter also receives its police's procedures (and forwards them):
    # what the counter may receive, not only what the People's Committee decides.
    with_commune_police: bool = False
    applicant: str = ""
    kind: str = ""
    scope: str = "hanoi"  # "hanoi" or "all"


@dataclass(frozen=True)
class Ranking:
    positions: list[int]
    suggestion: str = ""  # the query with its slips corrected ("did you mean"), or ""


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
    if filters.unit_kind and doc.level == "commune":
        wanted = {"police"} if filters.unit_kind == "commune_police" else {"people_committee"}
        if filters.with_commune_police:
            wanted.add("police")
        if doc.commune_body in wanted:
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
    folded, accented = hashes_of(found.folded), hashes_of(found.accented)
    for part in index.parts:
        found_scores = part.columns.scores(accented if part.accented else folded)
        if found_scores is None:
            continue
        values = part.weight * found_scores
        if part.present is None:
            total += values
        else:
            total[part.present] += values[part.source]
    return total


def search(index: SearchIndex, query: str, filters: Filters) -> Ranking:
    """Positions of matching docs, best first; an empty query lists by popularity."""
    folded = " ".join(syllables(query))
    if not folded:
        listed = [i for i, d in enumerate(index.docs) if matches(d, filters)]
        return Ranking(
            sorted(listed, key=lambda i: (-index.docs[i].popularity, index.docs[i].code))
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
    return lambda words: written_as(index.names, words)


class IndexCache:
    """One index per process, rebuilt when the catalog changes (``catalog.revision``: one
    indexed read per request, so every process on every machine sees a change at once). A built
    index is also kept on disk under its token (``search_store``), so that the other workers of
    the machine, and workers started later, load it in a fraction of a second instead of each
    building it (seconds of CPU, longer than a web worker's timeout on a busy machine)."""

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
                self._index = search_store.index_for(token, build=index_build)
                self._token = token
            return self._index


INDEX = IndexCache()

"""A part's BM25 scores as plain arrays, found by a term's 64-bit hash (issue 12, worker memory).

``bm25s`` builds each part's index (its tokens, IDF and BM25 weights, in ``search_index``); a
web worker only reads it. What it keeps of a part is the sparse score matrix (one column per
term: the records that have it and their weight) and a way from a term to its column. bm25s's
way is a dict of every term (48,712 in all, Vietnamese strings with accents among them): about
6 MB of Python objects per worker, for a look-up of a few terms per query. Here the terms are
a sorted array of 8-byte BLAKE2b hashes beside their columns (12 bytes a term), and a worker no
longer imports bm25s at all. Two of a part's terms with the same hash are refused when the index
is built; a query term that is in no text has, with 48,712 terms in 2⁶⁴ values, about one chance
in 4 × 10¹⁴ to take another's column.

The scores are added column by column in the query's order with ``np.add.at``, as bm25s's
``get_scores_from_ids`` does, so they are the same float32 values it gave.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

HASH = np.dtype("<u8")


def term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")


def hashes_of(terms: Iterable[str]) -> np.ndarray:
    return np.fromiter((term_hash(t) for t in terms), dtype=HASH)


def narrowest(largest: int) -> np.dtype[Any]:
    """The smallest signed integer type that holds ``largest``."""
    for kind in (np.int16, np.int32):
        if largest <= np.iinfo(kind).max:
            return np.dtype(kind)
    return np.dtype(np.int64)


class DuplicateTermHash(ValueError):
    """Two distinct terms of one index share a hash: never seen; the build stops rather than
    let one answer for the other."""


@dataclass(frozen=True, slots=True)
class TermSet:
    """Terms kept as sorted hashes: ``in`` and, with ``values``, each term's number."""

    hashes: np.ndarray  # sorted, unique
    values: np.ndarray | None = None  # values[i] belongs to hashes[i]

    @classmethod
    def union(cls, sets: Iterable[TermSet]) -> TermSet:
        """Every term of these sets (numbers dropped)."""
        return cls(np.unique(np.concatenate([np.zeros(0, dtype=HASH), *(s.hashes for s in sets)])))

    @classmethod
    def numbered(cls, numbers: Mapping[str, int]) -> TermSet:
        hashes = hashes_of(numbers)
        values = np.fromiter(numbers.values(), dtype=np.int32, count=len(numbers))
        order = np.argsort(hashes, kind="stable")
        hashes, values = hashes[order], values[order]
        if len(hashes) > 1 and bool((hashes[1:] == hashes[:-1]).any()):
            raise DuplicateTermHash("two search terms share a 64-bit hash")
        return cls(hashes, values)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.position(term) is not None

    def __len__(self) -> int:
        return len(self.hashes)

    def get(self, term: str, default: int = 0) -> int:
        """The term's number (a count, for the spelling's pairs); ``default`` if absent."""
        assert self.values is not None
        at = self.position(term)
        return default if at is None else int(self.values[at])

    def position(self, term: str) -> int | None:
        """Where the term's hash is in ``hashes`` (None: not there)."""
        wanted = np.uint64(term_hash(term))
        at = int(np.searchsorted(self.hashes, wanted))
        return at if at < len(self.hashes) and self.hashes[at] == wanted else None

    def numbers(self, hashes: np.ndarray) -> np.ndarray:
        """The numbers of the terms with these hashes, in their order (repeats kept, terms
        this set does not have left out), as bm25s's ``get_tokens_ids`` gives token ids."""
        assert self.values is not None
        if not len(self.hashes) or not len(hashes):
            return np.zeros(0, dtype=np.int32)
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return self.values[at[self.hashes[at] == hashes]]


@dataclass(frozen=True, slots=True)
class Columns:
    """One part's BM25 weights: column ``c`` holds the rows ``indices[indptr[c]:indptr[c+1]]``
    with weights ``data[…]`` (bm25s's eager score matrix, compressed by column)."""

    terms: TermSet
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    rows: int

    @classmethod
    def of(cls, vocabulary: Mapping[str, int], scores: Mapping[str, Any]) -> Columns:
        """From bm25s's vocabulary and scores; row and column numbers in the narrowest integers
        that hold them (a few thousand records: two bytes a weight instead of four)."""
        rows = int(scores["num_docs"])
        indptr = np.asarray(scores["indptr"])
        return cls(
            TermSet.numbered(vocabulary), np.asarray(scores["data"]),
            np.asarray(scores["indices"]).astype(narrowest(rows)),
            indptr.astype(narrowest(int(indptr[-1]) if len(indptr) else 0)), rows,
        )  # fmt: skip

    def scores(self, hashes: np.ndarray) -> np.ndarray | None:
        """Each row's BM25 score for the query terms with these hashes; None if the part has
        none of them. A term's column past the matrix's last (bm25s keeps one such term, the
        empty one) scores nothing, as bm25s refuses it."""
        columns = self.terms.numbers(hashes)
        columns = columns[columns < len(self.indptr) - 1]
        if not len(columns):
            return None
        total = np.zeros(self.rows, dtype=self.data.dtype)
        for column in columns.tolist():
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            np.add.at(total, self.indices[start:end], self.data[start:end])
        return total

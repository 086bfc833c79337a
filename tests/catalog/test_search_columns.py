"""A part's BM25 scores kept as arrays (``catalog.search_columns``): the same float32 scores
bm25s gives for the same query, terms found by their hash, no bm25s in a worker."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog import search_columns
from motcua.catalog.search_columns import Columns, DuplicateTermHash, TermSet, hashes_of
from motcua.catalog.vietnamese import HashedTable

# A few syllables, some with accents (the accented part's keys), and pairs as the index has them.
SYLLABLES = ["khai", "sinh", "đăng1", "ky5", "hô6", "tich5", "cư", "tru2", "a", "ho_tich"]
texts = st.lists(
    st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=12), min_size=1, max_size=30
)
queries = st.lists(st.sampled_from([*SYLLABLES, "vang", "giây1_phep1"]), max_size=8)


@settings(max_examples=60, deadline=None)
@given(corpus=texts, query=queries, k1=st.sampled_from([1.2, 1.5]), b=st.sampled_from([0.5, 0.75]))
def test_scores_are_bm25s_scores_to_the_bit(
    corpus: list[list[str]], query: list[str], k1: float, b: float
) -> None:
    retriever = bm25s.BM25(k1=k1, b=b)
    retriever.index(corpus, show_progress=False)
    columns = Columns.of(retriever.vocab_dict, retriever.scores)
    ids = retriever.get_tokens_ids(query)
    ours = columns.scores(hashes_of(query))
    if not ids:
        assert ours is None
        return
    theirs = retriever.get_scores_from_ids(ids)
    assert ours is not None
    assert ours.dtype == theirs.dtype
    assert np.array_equal(ours, theirs)


def test_numbers_keep_the_query_order_and_repeats_and_leave_out_unknown_terms() -> None:
    terms = TermSet.numbered({"khai": 3, "sinh": 0, "tu": 7})
    found = terms.numbers(hashes_of(["sinh", "vang", "khai", "sinh"]))
    assert found.tolist() == [0, 3, 0]
    assert terms.numbers(hashes_of([])).tolist() == []
    assert TermSet.numbered({}).numbers(hashes_of(["khai"])).tolist() == []


def test_membership_by_hash() -> None:
    used = TermSet.union(
        [TermSet.numbered({"thuong_tru": 0, "khai_sinh": 1}), TermSet.numbered({"khai_sinh": 5})]
    )
    assert all(term in used for term in ("thuong_tru", "khai_sinh"))
    assert not any(term in used for term in ("thuong_chu", "", 7))
    assert len(used) == 2
    assert "khai" not in TermSet.union([])


def test_the_empty_term_bm25s_adds_past_the_matrix_scores_nothing() -> None:
    retriever = bm25s.BM25()
    retriever.index([["khai", "sinh"], ["tu"]], show_progress=False)
    assert "" in retriever.vocab_dict  # bm25s's own: no column in the matrix
    columns = Columns.of(retriever.vocab_dict, retriever.scores)
    assert columns.scores(hashes_of([""])) is None


def test_two_terms_with_one_hash_stop_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_columns, "term_hash", lambda term: 42)
    with pytest.raises(DuplicateTermHash):
        TermSet.numbered({"khai": 0, "sinh": 1})


@pytest.mark.parametrize(
    ("largest", "kind"),
    [
        (0, np.int16),
        (32_767, np.int16),
        (32_768, np.int32),
        (2**31 - 1, np.int32),
        (2**31, np.int64),
    ],
)
def test_positions_kept_in_the_narrowest_integers(largest: int, kind: type) -> None:
    assert search_columns.narrowest(largest) == np.dtype(kind)


def test_a_terms_count_by_hash() -> None:
    counts = TermSet.numbered({"thuong_tru": 12, "khai_sinh": 40})
    assert counts.get("khai_sinh") == 40
    assert counts.get("thuong_chu") == 0
    assert counts.get("thuong_chu", -1) == -1
    assert TermSet.numbered({}).get("khai_sinh") == 0


def test_a_table_of_texts_by_hashed_key() -> None:
    table = HashedTable.of(
        {"thuong_tru": ("thuong_tru", "thuong_chu"), "khai_sinh": ("khai_sinh",)}
    )
    assert table.get("thuong_tru") == ("thuong_tru", "thuong_chu")
    assert table.get("khai_sinh") == ("khai_sinh",)
    assert table.get("ket_hon") == ()
    assert HashedTable.of({}).get("ket_hon") == ()

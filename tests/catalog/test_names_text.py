"""Names kept as two long texts (``vietnamese.Names``, issue 12, worker memory): "did you mean"
finds the same written words as a scan of the names one by one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog.vietnamese import WORD, Names, syllables, written_as

WORDS = [
    "Đăng",
    "ký",
    "khai",
    "sinh",
    "thường",
    "trú",
    "hộ",
    "tịch",
    "2",
    "ĐKKD",
    "(lần",
    "đầu)",
    "-",
]
names = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join), max_size=12
)
queries = st.lists(st.sampled_from(["dang", "ky", "khai", "sinh", "thuong", "tru", "ho", "2", "lan"]),
                   min_size=1, max_size=3)  # fmt: skip


def one_by_one(names: list[str], words: list[str]) -> list[str] | None:
    """The plain scan: the first name whose folded words hold the phrase, as it writes them."""
    phrase = f" {' '.join(words)} "
    for name in names:
        folded = " ".join(syllables(name))
        if phrase in f" {folded} ":
            plain, written = folded.split(), WORD.findall(name.lower())
            if len(plain) != len(written):
                continue
            for start in range(len(plain) - len(words) + 1):
                if plain[start : start + len(words)] == words:
                    return written[start : start + len(words)]
    return None


@settings(max_examples=200)
@given(names, queries)
def test_written_as_finds_what_the_scan_finds(written: list[str], words: list[str]) -> None:
    kept = Names.of(written, [" ".join(syllables(name)) for name in written])
    assert len(kept) == len(written)
    assert [kept.name(i) for i in range(len(kept))] == written
    assert written_as(kept, words) == one_by_one(written, words)


def test_no_names() -> None:
    assert written_as(Names(), ["khai", "sinh"]) is None
    assert len(Names()) == 0

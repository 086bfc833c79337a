"""Built search indexes on disk (``catalog.search_store``): one file per catalog state, read by
the next process instead of rebuilt; never a file of another state, never a half-written one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from motcua.catalog import search_store
from motcua.catalog.search_index import SearchIndex


class Builder:
    """Counts builds; each build is an index with a mark to tell them apart."""

    def __init__(self) -> None:
        self.builds = 0

    def __call__(self) -> SearchIndex:
        self.builds += 1
        return SearchIndex(by_code={f"build {self.builds}": 0})


def mark(index: SearchIndex) -> list[str]:
    return list(index.by_code)


@pytest.fixture
def folder(tmp_path: Path, settings: Any) -> Path:
    settings.MOTCUA_SEARCH_INDEX_DIR = str(tmp_path)
    return tmp_path


def test_an_index_built_once_is_read_by_the_next_process(folder: Path) -> None:
    build = Builder()
    first = search_store.index_for("token-a", build=build)
    again = search_store.index_for("token-a", build=build)
    assert build.builds == 1
    assert mark(again) == mark(first) == ["build 1"]
    assert len(list(folder.glob("search-*.pickle"))) == 1


def test_a_new_catalog_state_is_built_and_the_old_file_goes(folder: Path) -> None:
    build = Builder()
    search_store.index_for("token-a", build=build)
    old = search_store.file_for(folder, "token-a")
    old_time = old.stat().st_mtime
    newer = search_store.index_for("token-b", build=build)
    assert mark(newer) == ["build 2"]
    assert search_store.file_for(folder, "token-b").exists()
    # Removed when strictly older (file times may be coarse): then a state's file is never
    # taken for another's, whatever is left on disk.
    assert not old.exists() or old.stat().st_mtime == old_time
    assert mark(search_store.index_for("token-a", build=build)) in (["build 1"], ["build 3"])


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_an_unreadable_or_foreign_file_is_rebuilt(folder: Path, content: bytes) -> None:
    search_store.file_for(folder, "token-a").write_bytes(content)
    build = Builder()
    assert mark(search_store.index_for("token-a", build=build)) == ["build 1"]
    assert build.builds == 1
    # And the rebuilt index replaced the bad file.
    assert mark(search_store.index_for("token-a", build=Builder())) == ["build 1"]


def test_no_folder_means_no_file(tmp_path: Path, settings: Any) -> None:
    settings.MOTCUA_SEARCH_INDEX_DIR = ""
    build = Builder()
    search_store.index_for("token-a", build=build)
    search_store.index_for("token-a", build=build)
    assert build.builds == 2
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_still_serves(tmp_path: Path, settings: Any) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    settings.MOTCUA_SEARCH_INDEX_DIR = str(blocked)
    assert mark(search_store.index_for("token-a", build=Builder())) == ["build 1"]

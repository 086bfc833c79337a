"""The archive: a tar of the database dump, the stored files and the published audit roots,
with ``manifest.json`` as its last member (format, versions, counts per table, the SHA-256 and
size of every other member). Reading checks every member against the manifest before anything
is restored; a member that is missing, extra or different refuses the whole archive."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .database import BackupError

FORMAT = "motcua-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


def compressed(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


def tar_write(path: Path, *, gzip: bool) -> tarfile.TarFile:
    """A plain tar, or gzip'd; readable by its owner only (it holds personal data)."""
    path.touch(mode=0o600)
    path.chmod(0o600)
    if gzip:
        return tarfile.open(path, "w:gz", compresslevel=6)
    return tarfile.open(path, "w")


def tar_read(path: Path) -> tarfile.TarFile:
    return tarfile.open(path, "r:*")


class Hashing(io.RawIOBase):
    """A read-only stream that hashes what passes through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    def __init__(self, path: Path, *, gzip: bool = False) -> None:
        self.tar = tar_write(path, gzip=gzip)
        self.members: dict[str, dict[str, Any]] = {}

    def add(self, member: str, stream: IO[bytes], size: int) -> dict[str, Any]:
        info = tarfile.TarInfo(member)
        info.size, info.mtime, info.mode = size, int(time.time()), 0o600
        hashing = Hashing(stream)
        self.tar.addfile(info, hashing)
        if hashing.size != size:
            raise BackupError(
                f"{member}: kích thước đổi khi đang sao lưu / size changed while being read"
            )
        entry = {"size": size, "sha256": hashing.sha.hexdigest()}
        self.members[member] = entry
        return entry

    def add_path(self, member: str, path: Path) -> dict[str, Any]:
        with path.open("rb") as handle:
            return self.add(member, handle, path.stat().st_size)

    def finish(self, manifest: dict[str, Any]) -> None:
        data = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()

    def abort(self) -> None:
        self.tar.close()


@dataclass
class Archive:
    """An archive whose members all match its manifest."""

    path: Path
    manifest: dict[str, Any]

    def open_member(self) -> Iterator[tuple[str, IO[bytes]]]:
        with tar_read(self.path) as tar:
            for info in tar:
                if info.name == MANIFEST:
                    continue
                stream = tar.extractfile(info)
                assert stream is not None
                yield info.name, stream


def refused(reason: str) -> BackupError:
    return BackupError(
        f"Bản sao lưu không hợp lệ, không khôi phục / archive refused, nothing restored: {reason}"
    )


def manifest_read(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        stream = tar.extractfile(MANIFEST)
        assert stream is not None
        manifest = json.loads(stream.read())
    except (KeyError, AssertionError, ValueError) as error:
        raise refused(
            "thiếu hoặc hỏng manifest.json / manifest.json missing or unreadable"
        ) from error
    if manifest.get("format") != FORMAT:
        raise refused(f"định dạng lạ / unknown format {manifest.get('format')!r}")
    return dict(manifest)


def archive_open(path: Path) -> Archive:
    """Read the whole archive once: every member must be in the manifest with its size and
    SHA-256, every manifest entry must be in the archive, no member may appear twice."""
    try:
        with tar_read(path) as tar:
            manifest = manifest_read(tar)
            expected: dict[str, dict[str, Any]] = manifest.get("members", {})
            seen: set[str] = set()
            for info in tar:
                if info.name == MANIFEST:
                    continue
                entry = expected.get(info.name)
                if entry is None or info.name in seen or not info.isfile():
                    raise refused(f"{info.name}: không có trong manifest / not in the manifest")
                seen.add(info.name)
                stream = tar.extractfile(info)
                assert stream is not None
                sha = hashlib.sha256()
                while chunk := stream.read(CHUNK):
                    sha.update(chunk)
                if sha.hexdigest() != entry.get("sha256") or info.size != entry.get("size"):
                    raise refused(f"{info.name}: mã băm sai (bị sửa?) / hash mismatch (altered?)")
            missing = sorted(set(expected) - seen)
            if missing:
                raise refused(f"thiếu / missing: {', '.join(missing[:5])}")
    except (OSError, tarfile.TarError, EOFError) as error:
        raise refused(f"không đọc được / unreadable ({error})") from error
    return Archive(path, manifest)

"""``backup_create`` and ``restore_run``: the archive of an installation, and putting it back.

The database snapshot is taken first; the stored files are listed after it, so every file the
snapshot refers to must be in the listing (a file written later is carried, unreferenced, and
does no harm). Secrets are never in the archive: the audit keys, the signing CA and the secret
key are backed up apart (docs/production.md). The published audit roots are public and signed:
they travel with the archive, and the restored data is checked against them.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

import motcua
from motcua.dossiers.audit_keys import AuditKeyError
from motcua.dossiers.audit_roots import ROOT_FILE, ScanReport, audit_scan, roots_dir
from motcua.dossiers.count_cache import unit_marks_renew
from motcua.dossiers.models import Dossier

from .archive import ArchiveWriter, archive_open, compressed, refused
from .database import BackupError, current_counts, database_restore, snapshot_take

FILES = "files/"
ROOTS = "audit-roots/"


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file in the storage (local folder or object store), depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def root_paths() -> list[Path]:
    folder = roots_dir()
    if not folder.is_dir():
        return []
    wanted = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted(p for p in wanted if ROOT_FILE.match(p.name) or p.name.endswith(".jsonl.gz"))


@dataclass
class BackupSummary:
    path: Path
    vendor: str
    tables: dict[str, int]
    files: int
    roots: int
    size: int


def backup_create(path: Path, *, at: datetime.datetime) -> BackupSummary:
    """Write the archive at ``path`` (atomically: a temporary name, renamed when complete)."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".motcua-backup-", dir=path.parent) as work:
        snap = snapshot_take(Path(work))
        names = list(stored_names(default_storage))
        missing = sorted(snap.referenced - set(names))
        if missing:
            raise BackupError(
                f"{len(missing)} tệp được hồ sơ tham chiếu nhưng không có trong kho / files "
                f"referenced by the database are missing from storage: {', '.join(missing[:10])}"
            )
        writer = ArchiveWriter(partial, gzip=compressed(path))
        try:
            writer.add_path(snap.member, snap.path)
            for name in names:
                with default_storage.open(name, "rb") as handle:
                    writer.add(FILES + name, handle, default_storage.size(name))
            roots = root_paths()
            for root in roots:
                writer.add_path(ROOTS + root.name, root)
            writer.finish({
                "format": "motcua-backup/1", "app_version": motcua.__version__,
                "created_at": at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
                "database": {"vendor": snap.vendor, "member": snap.member},
                "tables": snap.tables, "migrations": snap.migrations,
                "files": len(names), "referenced_files": len(snap.referenced),
                "members": writer.members,
            })  # fmt: skip
        except BaseException:
            writer.abort()
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, path)
    return BackupSummary(
        path, snap.vendor, snap.tables, len(names), len(roots), path.stat().st_size
    )


# --- restore ----------------------------------------------------------------------------------


class RestoreRefused(BackupError):
    """Nothing was changed."""


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    files: int = 0
    removed_files: int = 0
    roots_written: int = 0
    roots_set_aside: list[str] = field(default_factory=list)
    migrated: bool = False
    count_problems: list[str] = field(default_factory=list)
    audit: ScanReport | None = None
    audit_error: str = ""

    @property
    def clean(self) -> bool:
        audit_clean = self.audit is not None and self.audit.clean
        return audit_clean and not self.count_problems and not self.audit_error


def installation_contents() -> list[str]:
    """What makes this installation non-empty (empty list: safe to restore into)."""
    found = []
    dossiers = Dossier.objects.count()
    users = get_user_model().objects.count()
    if dossiers:
        found.append(f"{dossiers} hồ sơ / dossiers")
    if users:
        found.append(f"{users} tài khoản / accounts")
    if next(stored_names(default_storage), None) is not None:
        found.append("tệp trong kho / stored files")
    return found


def migrations_check(manifest: dict[str, Any]) -> bool:
    """Refuse an archive from newer code; True when the archive lacks migrations we have."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    archived = {
        (app, name) for app, names in manifest.get("migrations", {}).items() for name in names
    }
    unknown = sorted(archived - known)
    if unknown:
        raise refused(
            "bản sao lưu từ phiên bản mới hơn (cập nhật phần mềm trước) / the archive comes from "
            f"newer code (upgrade first): {', '.join(f'{a}.{n}' for a, n in unknown[:5])}"
        )
    return bool(known - archived)


def roots_conflicts(manifest: dict[str, Any]) -> list[Path]:
    folder = roots_dir()
    archived = {m[len(ROOTS) :]: e for m, e in manifest["members"].items() if m.startswith(ROOTS)}
    conflicts = []  # same name, other content; roots newer than the archive are kept
    for path in root_paths():
        entry = archived.get(path.name)
        if entry is not None and entry["sha256"] != file_sha256(path):
            conflicts.append(folder / path.name)
    return conflicts


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            sha.update(chunk)
    return sha.hexdigest()


def restore_preflight(path: Path, *, force: bool) -> tuple[Any, bool, list[Path]]:
    archive = archive_open(path)
    manifest = archive.manifest
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise RestoreRefused(
            f"Bản sao lưu dùng {vendor}, cài đặt này dùng {connection.vendor} / the archive holds "
            f"a {vendor} database, this installation uses {connection.vendor}"
        )
    needs_migrate = migrations_check(manifest)
    contents = installation_contents()
    conflicts = roots_conflicts(manifest)
    if conflicts:
        contents.append(f"{len(conflicts)} gốc kiểm toán khác / different audit roots")
    if contents and not force:
        raise RestoreRefused(
            "Cài đặt không trống (" + ", ".join(contents) + "): dùng --force để thay thế toàn bộ"
            " / the installation is not empty: use --force to replace all of it"
        )
    return archive, needs_migrate, conflicts


def restore_run(path: Path, *, force: bool = False) -> RestoreReport:
    """Check the archive, restore database, files and roots, then check the result against
    the manifest's counts and the audit chains and roots. Raises ``RestoreRefused`` (archive or
    target refused, nothing changed) or ``BackupError`` (failed midway)."""
    try:
        archive, needs_migrate, conflicts = restore_preflight(path.resolve(), force=force)
    except BackupError as error:
        raise RestoreRefused(str(error)) from error
    report = RestoreReport(archive.manifest)
    report.roots_set_aside = roots_set_aside(conflicts)
    with tempfile.TemporaryDirectory(prefix=".motcua-restore-") as work:
        for member, stream in archive.open_member():
            if member == archive.manifest["database"]["member"]:
                dump = Path(work) / Path(member).name
                with dump.open("wb") as out:
                    shutil.copyfileobj(stream, out)
                database_restore(archive.manifest["database"]["vendor"], dump)
            elif member.startswith(FILES):
                file_put(member[len(FILES) :], stream)
                report.files += 1
            elif member.startswith(ROOTS):
                report.roots_written += root_put(member[len(ROOTS) :], stream)
    wanted = {m[len(FILES) :] for m in archive.manifest["members"] if m.startswith(FILES)}
    for name in list(stored_names(default_storage)):
        if name not in wanted:  # only with --force: files of the installation replaced
            default_storage.delete(name)
            report.removed_files += 1
    ContentType.objects.clear_cache()
    if needs_migrate:
        call_command("migrate", verbosity=0)
        report.migrated = True
    else:
        report.count_problems = counts_compare(archive.manifest["tables"], current_counts())
    # The backup's marks are values processes may have kept worklist counts under.
    unit_marks_renew()
    try:
        report.audit = audit_scan(against_root=True)
    except AuditKeyError as error:
        report.audit_error = str(error)
    return report


def roots_set_aside(conflicts: list[Path]) -> list[str]:
    if not conflicts:
        return []
    aside = roots_dir() / f"replaced-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%S}"
    aside.mkdir(parents=True, exist_ok=True)
    for path in conflicts:
        os.replace(path, aside / path.name)
    return [str(aside / path.name) for path in conflicts]


def file_put(name: str, stream: Any) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, File(stream, name=name))
    if saved != name:
        raise BackupError(f"{name}: lưu thành / stored as {saved}")


def root_put(name: str, stream: Any) -> int:
    folder = roots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.exists():
        return 0
    partial = folder / f".restore-{name}"
    with partial.open("wb") as out:
        shutil.copyfileobj(stream, out)
    os.chmod(partial, 0o644 if name.endswith(".json") else 0o640)
    os.replace(partial, target)
    return 1


def counts_compare(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if expected.get(table) != actual.get(table):
            problems.append(
                f"{table}: {actual.get(table)} dòng, bản sao lưu có {expected.get(table)} / "
                f"{actual.get(table)} rows, the archive has {expected.get(table)}"
            )
    return problems

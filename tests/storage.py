"""What the media storage holds, on any backend (the local folder or the S3 server)."""

from __future__ import annotations

from django.core.files.storage import default_storage


def stored_files(folder: str = "") -> list[str]:
    """Every file's name under ``folder`` of the default storage, sorted."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # the local folder before anything was written
        return []
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    found = [prefix + name for name in files]
    for sub in folders:
        found.extend(stored_files(prefix + sub))
    return sorted(found)

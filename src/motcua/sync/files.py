"""Files of a dossier submitted on the National Public Service Portal (issue 16): the portal
posts the dossier with the ids and SHA-256 of its files; the worker fetches each
(``LayTepDinhKem``), checks its hash and content, and attaches it to the dossier as an input.

Idempotent: a file whose SHA-256 the dossier already holds is not fetched again, so posting the
same dossier twice (or a fetch that died half way) leaves one copy of each file. A portal that
does not answer is asked again later (exponential backoff) up to ``MOTCUA_DVCQG_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks import task

from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.files import dossier_attach
from motcua.integrations.dvcqg.client import (
    PortalClient,
    PortalError,
    PortalReplyTooLarge,
    portal,
)

from .delivery import madonvi

log = logging.getLogger(__name__)


def wanted(files: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The file entries that name an id and a SHA-256 (anything else is ignored)."""
    rows = []
    for entry in files[:50]:
        file_id, digest = str(entry.get("id") or "")[:80], str(entry.get("sha256") or "").lower()
        if file_id and len(digest) == 64:
            rows.append({"id": file_id, "sha256": digest, "name": str(entry.get("name") or "")})
    return rows


def fetch_missing(dossier: Dossier, files: list[dict[str, str]], client: PortalClient) -> int:
    """Attach each file the dossier lacks; the number attached. PortalError: try again later."""
    held = set(dossier.documents.values_list("sha256", flat=True))
    attached = 0
    for entry in files:
        if entry["sha256"] in held:
            continue
        try:
            name, content = client.attachment(madonvi(dossier), entry["id"])
        except PortalReplyTooLarge as too_large:  # asking again would not make it smaller
            log.warning("portal file %s of %s skipped: %s", entry["id"], dossier.ref, too_large)
            continue
        if hashlib.sha256(content).hexdigest() != entry["sha256"]:
            raise PortalError(f"LayTepDinhKem {entry['id']}: SHA-256 differs from the posted one")
        upload = SimpleUploadedFile(name, content)
        try:
            dossier_attach(
                dossier=dossier, actor=None, at=now(), upload=upload, name=entry["name"] or name
            )
        except DomainError as refused:  # not a PDF/PNG/JPEG, too large: said in the log, skipped
            log.warning("portal file %s of %s refused: %s", entry["id"], dossier.ref, refused)
            continue
        held.add(entry["sha256"])
        attached += 1
    return attached


@task()
def portal_files_task(dossier_id: int, files: list[dict[str, Any]], attempt: int = 1) -> int:
    dossier = Dossier.objects.filter(pk=dossier_id).select_related("receiving_unit").first()
    if dossier is None:
        return 0
    try:
        return fetch_missing(dossier, wanted(files), portal())
    except PortalError as error:
        if attempt >= settings.MOTCUA_DVCQG_MAX_ATTEMPTS:
            log.error("portal files of %s given up after %s tries: %s", dossier.ref, attempt, error)
            return 0
        wait = min(
            settings.MOTCUA_DVCQG_BACKOFF_SECONDS * 2 ** (attempt - 1),
            settings.MOTCUA_DVCQG_BACKOFF_MAX_SECONDS,
        )
        log.warning("portal files of %s: %s; again in %ss", dossier.ref, error, wait)
        portal_files_task.using(run_after=now() + datetime.timedelta(seconds=wait)).enqueue(
            dossier_id=dossier_id, files=files, attempt=attempt + 1
        )
        return 0


def portal_files_fetch(dossier: Dossier, files: list[dict[str, Any]]) -> bool:
    """Enqueue the fetch of a portal dossier's files (each time it is posted: the fetch skips
    what is held). False when there is nothing to fetch or no portal is configured."""
    from motcua.integrations.dvcqg.client import sync_enabled

    rows = wanted(files)
    if not rows or not sync_enabled():
        return False
    portal_files_task.enqueue(dossier_id=dossier.pk, files=rows)
    return True

"""Files attached to a dossier: content-checked, hashed, written before the row and removed
again if the transaction fails (nothing partial is left behind)."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.common.files import checked_upload

from ..constants import Action
from ..errors import InvalidValue
from ..models import Dossier, DossierDocument
from .kernel import Change, act


def document_prepare(
    *, upload: UploadedFile, name: str, kind: str, actor: User | None, at: datetime.datetime,
    requirement_id: int | None = None, digitised_at_counter: bool = False,
) -> DossierDocument:  # fmt: skip
    """A checked file (PDF, PNG, JPEG; content checked, size limited) written to storage, and its
    unsaved row; the caller saves the row in its transaction or deletes the file."""
    checked = checked_upload(upload)
    if kind not in DossierDocument.Kind.values:
        raise InvalidValue(_("Loại giấy tờ không hợp lệ."))
    document = DossierDocument(
        kind=kind, requirement_id=requirement_id,
        name=(name or upload.name or "").strip()[:255] or str(_("Giấy tờ")),
        original_filename=checked.name, sha256=checked.sha256,
        content_type=checked.content_type, size=checked.size,
        digitised_at_counter=digitised_at_counter, uploaded_by=actor, uploaded_at=at,
    )  # fmt: skip
    document.file.save(checked.sha256, ContentFile(checked.content), save=False)
    return document


def dossier_attach(
    *, dossier: Dossier, actor: User | None, at: datetime.datetime, upload: UploadedFile, name: str,
    kind: str = "input", requirement_id: int | None = None, digitised_at_counter: bool = False,
    expected_version: int | None = None,
) -> DossierDocument:  # fmt: skip
    """Attach a checked file with its SHA-256 (an input, a supplement, a draft or final result)."""
    document = document_prepare(
        upload=upload, name=name, kind=kind, actor=actor, at=at, requirement_id=requirement_id,
        digitised_at_counter=digitised_at_counter,
    )  # fmt: skip

    def decide(current: Dossier) -> Change:
        document.dossier = current
        document.save()
        payload = {
            "document": document.name,
            "sha256": document.sha256,
            "kind": kind,
            "size": document.size,
        }
        return Change(current.status, {}, payload=payload)

    try:
        act(
            dossier, Action.ATTACH, actor=actor, at=at, expected_version=expected_version,
            decide=decide,
        )  # fmt: skip
    except Exception:
        document.file.delete(save=False)
        raise
    return document

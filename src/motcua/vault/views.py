"""The citizen's store (their documents, with download) and "Ai đã dùng dữ liệu của tôi"; the
officer's download of a document a dossier reused (logged for the owner)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from motcua.accounts import permissions
from motcua.accounts.models import User
from motcua.common.clock import now, today
from motcua.common.text import fold_words
from motcua.dossiers.access import access_record
from motcua.dossiers.models import DossierAccess
from motcua.dossiers.reading import dossier_read

from . import evidence
from .models import DataUse, Reuse, VaultDocument
from .selectors import citizen_document, citizen_documents, citizen_uses, use_rows
from .services import owner_of, source_text, uses_log

logger = logging.getLogger(__name__)
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def account(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]  # behind login_required
    return user


@login_required
def my_store(request: HttpRequest) -> HttpResponse:
    documents = citizen_documents(account(request))
    rows = [
        {"document": d, "type": evidence.type_name(d.evidence_type), "source": source_text(d)}
        for d in documents
    ]
    return render(request, "vault/my_store.html", {"rows": rows, "today": today()})


@login_required
def my_uses(request: HttpRequest) -> HttpResponse:
    rows = use_rows(citizen_uses(account(request)))
    return render(request, "vault/my_uses.html", {"uses": rows})


@login_required
def my_document(request: HttpRequest, pk: int) -> FileResponse:
    """One of the account's own stored documents; anyone else's is 404 (never "not yours")."""
    document = citizen_document(account(request), pk)
    if document is None:
        raise Http404(_("Không có giấy tờ này trong kho dữ liệu của bạn."))
    return file_response(document)


@login_required
def officer_document(request: HttpRequest, ref: str, pk: int) -> FileResponse:
    """A stored document a dossier the officer may read took in place of an upload; the owner
    sees the read under "Ai đã dùng dữ liệu của tôi"."""
    user = account(request)
    if not permissions.is_officer(user):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))
    dossier = dossier_read(user, ref)
    if dossier is None:
        raise Http404(_("Không có hồ sơ %(ref)s trong các đơn vị của bạn.") % {"ref": ref})
    reuse = Reuse.objects.filter(dossier=dossier, document_id=pk).select_related("document").first()
    owner = owner_of(dossier)
    if reuse is None or reuse.document is None or owner is None:
        raise Http404(_("Hồ sơ này không dùng giấy tờ này từ kho dữ liệu."))
    uses_log(owner, [pk], dossier=dossier, user=user, what=DataUse.What.READ, at=now())
    # A file the dossier stands on: the applicant's "Ai đã xem hồ sơ" lists it too.
    access_record(
        user=user, dossier=dossier, what=DossierAccess.What.FILE, item=reuse.document.name
    )
    return file_response(reuse.document)


def download_stem(name: str) -> str:
    """ "Giấy khai sinh" → "giay-khai-sinh": a name a person recognises in their downloads."""
    return slugify(fold_words(name))[:60].strip("-") or "giay-to"


def file_response(document: VaultDocument) -> FileResponse:
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        logger.error("file of stored document %s is missing from storage", document.pk)
        raise Http404(_("Tệp này tạm thời không đọc được.")) from missing
    extension = EXTENSIONS.get(document.content_type, "bin")
    return FileResponse(
        handle, as_attachment=True, filename=f"{download_stem(document.name)}-{document.pk}.{extension}",
        content_type=document.content_type,
    )  # fmt: skip

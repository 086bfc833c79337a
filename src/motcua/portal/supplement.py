"""The applicant answers a supplement request online, item by item: when every item has come the
dossier resumes; otherwise it keeps waiting for the rest and the officer sees what is missing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.common.errors import DomainError
from motcua.dossiers import services as dossier_services
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierDocument


@dataclass(frozen=True)
class Request:
    """What the officer asked for: the reason and the items, one per line."""

    reason: str
    items: list[str]
    at: datetime.datetime | None
    received: list[str] = field(default_factory=list)


def supplement_request(dossier: Dossier) -> Request | None:
    """What is still asked for: the requested items that have not come yet."""
    event = dossier.events.filter(action=Action.REQUEST_SUPPLEMENT).order_by("-seq").first()
    if event is None:
        return None
    if dossier.supplement_items:
        items = [e["item"] for e in dossier.supplement_items if not e.get("received_at")]
        done = [e["item"] for e in dossier.supplement_items if e.get("received_at")]
        return Request(event.reason, items, event.at, done)
    items = [str(item) for item in event.payload.get("items", []) if str(item).strip()]
    return Request(event.reason, items or [event.reason], event.at)


def supplement_reply(
    *, dossier: Dossier, user: User, files: list[tuple[str, UploadedFile]], note: str,
    at: datetime.datetime, expected_version: int | None,
) -> Dossier:  # fmt: skip
    """Attach every file and resume the dossier in one transaction: all of it, or nothing.

    ``files`` pairs each upload with the requested item it answers.
    """
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        raise DomainError(_("Hồ sơ không ở trạng thái chờ bổ sung."))
    if not files:
        raise DomainError(_("Hãy chọn ít nhất một tệp giấy tờ bổ sung."))
    attached: list[DossierDocument] = []
    try:
        with transaction.atomic():
            version = expected_version
            for item, upload in files:
                attached.append(
                    dossier_services.dossier_attach(
                        dossier=dossier,
                        actor=user,
                        at=at,
                        upload=upload,
                        name=item,
                        kind=DossierDocument.Kind.SUPPLEMENT,
                        expected_version=version,
                    )
                )
                version = None  # checked once, on the first write; the row lock does the rest
            return dossier_services.dossier_submit_supplement(
                dossier=dossier, actor=user, at=at, note=note[:1000],
                received=sorted({item for item, _upload in files}),
            )  # fmt: skip
    except Exception:
        for document in attached:
            document.file.delete(save=False)
        raise

"""The applicant withdraws a linked bundle (Decree 118/2025 art. 21; TT 03/2025 Mẫu 05): every
member without a decision stops, members not started never start, decided ones stay decided —
all in one transaction, or nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.common.errors import NotAllowed
from motcua.dossiers.models import Dossier

from ..constants import TERMINAL_BUNDLE_STATUSES, BundleAction, MemberState
from ..errors import BundleError
from ..models import Bundle
from .advance import bundle_reconcile, member_sync, members_of
from .record import event_add


class StaleBundle(BundleError):
    code = "stale"

    def __init__(self) -> None:
        super().__init__(
            _("Hồ sơ liên thông vừa được người khác thay đổi. Hãy tải lại rồi thao tác lại."),
            "The bundle changed meanwhile; reload it and try again.",
        )


def withdrawer_check(bundle: Bundle, actor: User) -> None:
    """The applicant's own account, or the receiving one-stop taking the applicant's request."""
    if bundle.owner_id is not None and bundle.owner_id == actor.pk:
        return
    if not permissions.has_capability(actor, Capability.RECEIVE_DOSSIER, bundle.receiving_unit):
        raise NotAllowed(
            _("Chỉ người nộp hoặc bộ phận một cửa đã tiếp nhận mới rút được hồ sơ liên thông.")
        )


def bundle_withdraw(
    *, bundle: Bundle, actor: User, at: datetime.datetime, reason: str = "",
    expected_version: int | None = None,
) -> Bundle:  # fmt: skip
    """Stop every member not yet decided; a member whose decision is signed goes on to its
    result. Refused when nothing is left to stop."""
    with transaction.atomic():
        current = (
            Bundle.objects.select_for_update().select_related("receiving_unit").get(pk=bundle.pk)
        )
        if expected_version is not None and current.version != expected_version:
            raise StaleBundle()
        withdrawer_check(current, actor)
        if current.withdrawn or current.status in TERMINAL_BUNDLE_STATUSES:
            raise BundleError(
                _("Hồ sơ liên thông đã kết thúc hoặc đã được rút."),
                "The bundle has ended or was already withdrawn.",
            )
        members = members_of(current)
        dossier_ids = [m.dossier_id for m in members if m.dossier_id is not None]
        locked = {d.pk: d for d in Dossier.objects.select_for_update().filter(pk__in=dossier_ids)}
        for member in members:
            if member.dossier_id is not None:
                member.dossier = locked[member.dossier_id]
            member_sync(current, member, at=at)
        stoppable = [
            m for m in members
            if m.state == MemberState.WAITING
            or (m.state in (MemberState.PENDING, MemberState.ACTIVE, MemberState.PAUSED)
                and m.dossier is not None and not m.dossier.decision)
        ]  # fmt: skip
        if not stoppable:
            raise BundleError(
                _("Mọi thủ tục của hồ sơ liên thông đã có quyết định; không còn gì để dừng."),
                "Every procedure of the bundle is decided; nothing is left to stop.",
            )
        current.withdrawn = True
        event_add(
            current, action=BundleAction.WITHDRAW, at=at, actor=actor,
            reason=reason or _("Người nộp yêu cầu rút hồ sơ liên thông"),
            payload={"stopping": [m.service for m in stoppable]},
        )  # fmt: skip
        bundle_reconcile(current, members, at=at, actor=actor)
        current.save()
    return current

"""API tokens: issue, authenticate, revoke (docs/decisions/0011).

A token reads, or reads and acts (``scope``), in the units it lists — a subset of the units
where its officer holds a role — until it expires (default ``MOTCUA_API_TOKEN_DAYS``, at most
``MOTCUA_API_TOKEN_MAX_DAYS``) or is revoked by its officer, an administrator of one of its units
or the system administrator. While a request acts through a token, ``permissions`` narrows the
officer's roles to the token's units and, for a read token, their capabilities to reading; the
dossier events it writes name the token (``kernel.build_event``).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.common.clock import VIETNAM, now, today
from motcua.common.errors import DomainError, NotAllowed
from motcua.common.prepared import PreparedQuery
from motcua.organizations.models import Unit

from . import permissions
from .constants import ApiTokenScope, Capability, ChangeVia
from .models import ApiToken, OfficerRole, User

TOKEN_PREFIX = "mc_"
# ``last_used_at`` is written at most once a minute per token: not a write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenRefused(DomainError):
    """A known token that may not be used any more; ``code`` names why (the API's error code).
    The API answers in Vietnamese and English, so both texts are plain strings."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message)
        self.code = code
        self.message_en = message_en


def when_text(at: datetime.datetime) -> tuple[str, str]:
    local = at.astimezone(VIETNAM)
    return local.strftime("%H:%M %d/%m/%Y"), local.isoformat(timespec="minutes")


def role_units(owner: User, day: datetime.date) -> dict[int, Unit]:
    roles = OfficerRole.objects.effective_on(day).filter(user=owner).select_related("unit")
    return {role.unit_id: role.unit for role in roles}


def api_token_issue(
    *,
    actor: User | None,
    owner: User,
    name: str,
    scope: str = ApiTokenScope.READ,
    units: Iterable[Unit] | None = None,
    days: int | None = None,
    at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``owner`` and its secret, which is shown once: only its hash is kept.

    ``units`` default to every unit where the officer holds a role today; ``days`` to
    ``MOTCUA_API_TOKEN_DAYS``. ``actor=None`` is the system administrator's command."""
    at = at or now()
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError(_("Cần đặt tên cho mã truy cập (tối đa 100 ký tự), ví dụ “tích hợp X”."))
    if scope not in ApiTokenScope.values:
        raise DomainError(
            _("Phạm vi của mã phải là %(scopes)s.") % {"scopes": ", ".join(ApiTokenScope.values)}
        )
    if actor is not None and not actor.is_superuser and actor.pk != owner.pk:
        raise NotAllowed(_("Chỉ quản trị hệ thống hoặc chính cán bộ được cấp mã truy cập API."))
    held = role_units(owner, at.astimezone(VIETNAM).date())
    if not held or not owner.is_active:
        raise DomainError(_("Chỉ cấp mã truy cập cho tài khoản cán bộ đang có vai trò."))
    chosen = list(units) if units is not None else list(held.values())
    if not chosen:
        raise DomainError(_("Chọn ít nhất một đơn vị cho mã truy cập."))
    outside = [unit.name for unit in chosen if unit.pk not in held]
    if outside:
        raise DomainError(
            _(
                "%(officer)s không có vai trò tại %(units)s: mã chỉ dùng được ở đơn vị mà cán bộ "
                "có vai trò."
            )
            % {"officer": owner, "units": ", ".join(outside)}
        )
    maximum = settings.MOTCUA_API_TOKEN_MAX_DAYS
    days = settings.MOTCUA_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= maximum:
        raise DomainError(_("Thời hạn của mã từ 1 đến %(max)s ngày.") % {"max": maximum})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=owner, name=name, token_hash=ApiToken.digest(secret), scope=scope,
            created_by=actor, expires_at=at + datetime.timedelta(days=days),
        )  # fmt: skip
        token.units.set(chosen)
    return token, secret


def token_with_hash(digest: str, day: datetime.date) -> QuerySet[ApiToken]:
    # The user's citizen profile (if any) with it: the actions offered ask whether the officer
    # is also the applicant. The officer's roles in force on ``day`` come inside it too.
    token = ApiToken.objects.select_related("user", "user__citizen_profile")
    roles = {permissions.ROLE_ROWS.annotation_name: permissions.token_roles_inline(day)}
    return token.filter(token_hash=digest).annotate(**roles).order_by()[:1]


# Read on every API request: compiled once (common/prepared.py).
TOKEN = PreparedQuery(token_with_hash, digest=("0" * 64, "1" * 64), day=permissions.DAYS)


def api_token_authenticate(*, secret: str, at: datetime.datetime) -> ApiToken | None:
    """The token with this secret, ready to act through (None: no such token). Raises
    TokenRefused for a revoked or expired token, or one whose account is locked."""
    found = TOKEN(digest=ApiToken.digest(secret), day=today())
    if not found:
        return None
    token = found[0]
    if token.revoked_at is not None and token.revoked_at <= at:
        vi, en = when_text(token.revoked_at)
        raise TokenRefused(
            "token_revoked",
            f"Mã truy cập API “{token.name}” đã bị thu hồi lúc {vi}.",
            f"The API token “{token.name}” was revoked at {en}.",
        )
    if token.expires_at <= at:
        vi, en = when_text(token.expires_at)
        raise TokenRefused(
            "token_expired",
            f"Mã truy cập API “{token.name}” đã hết hạn lúc {vi}; xin cấp mã mới.",
            f"The API token “{token.name}” expired at {en}; ask for a new one.",
        )
    if not token.user.is_active:
        raise TokenRefused(
            "token_account_locked",
            "Tài khoản cán bộ của mã truy cập này đã bị khóa.",
            "The officer account of this API token is locked.",
        )
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
        token.last_used_at = at
    permissions.api_token_attach(token.user, token)
    return token


def api_token_may_revoke(actor: User | None, token: ApiToken) -> bool:
    """Its officer, an administrator of one of its units, the system administrator."""
    if actor is None or actor.is_superuser or actor.pk == token.user_id:
        return True
    managed = permissions.unit_ids_with(actor, Capability.MANAGE_STAFF)
    return bool(managed & token.unit_id_set())


def api_token_revoke(
    *, actor: User | None, token: ApiToken, at: datetime.datetime, via: str | None = None
) -> ApiToken:
    """The token stops working at once; it stays listed, with who revoked it and when."""
    if not api_token_may_revoke(actor, token):
        raise NotAllowed(
            _(
                "Bạn không thu hồi được mã này: chỉ cán bộ chủ mã, quản trị của đơn vị mà mã được "
                "dùng hoặc quản trị hệ thống."
            )
        )
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise DomainError(
                _("Mã “%(name)s” đã bị thu hồi lúc %(when)s.")
                % {"name": token.name, "when": when_text(token.revoked_at)[0]}
            )
        token.revoked_at = at
        token.revoked_by = actor
        token.revoked_via = via or (ChangeVia.SYSTEM if actor is None else ChangeVia.WEB)
        token.save(update_fields=["revoked_at", "revoked_by", "revoked_via"])
    return token


def api_tokens_of(owner: User) -> list[ApiToken]:
    """An officer's tokens, newest first, those that ended included (history)."""
    return list(
        ApiToken.objects.filter(user=owner)
        .select_related("user")
        .prefetch_related("units")
        .order_by("-created_at", "-pk")
    )


def api_tokens_in_unit(unit: Unit, at: datetime.datetime) -> list[ApiToken]:
    """Tokens that still work in ``unit``: what its administrator may revoke."""
    return list(
        ApiToken.objects.filter(units=unit, revoked_at__isnull=True, expires_at__gt=at)
        .select_related("user")
        .prefetch_related("units")
        .order_by("-created_at", "-pk")
    )

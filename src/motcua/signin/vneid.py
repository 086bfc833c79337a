"""Sign-in through VNeID (an OpenID Connect provider), with Authlib's Django client
(docs/decisions/0032).

The library does the protocol: the authorization code flow with PKCE (S256), ``state`` kept in
the session and checked on return (then forgotten: a callback replayed is refused), ``nonce``
generated and checked in the ID token, the ID token's RS256 signature against the provider's
JWKS, its issuer, audience, expiry and issue time. This module adds what the library leaves to
us: refusing an answer without an ID token (Authlib checks the ID token only when one came),
turning every failure into a message a citizen can read, and binding the account
(``identity_bind``).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts import services as account_services
from motcua.accounts.models import VERIFIED_LEVEL, CitizenProfile, User
from motcua.accounts.validators import validate_personal_id_number
from motcua.common.errors import DomainError

from .constants import SignInEventKind
from .models import OidcIdentity, SignInEvent
from .policy import two_factor_applies

if TYPE_CHECKING:
    from authlib.integrations.django_client import DjangoOAuth2App

# Authlib, joserfc and requests (about 250 modules) are imported by the sign-in with VNeID
# only: not by every web worker that never sees one (issue 12, worker memory).

logger = logging.getLogger(__name__)
# Clock skew allowed on the ID token's times; an expired token is refused beyond it.
LEEWAY_SECONDS = 60


class VneidRefused(DomainError):
    """The sign-in did not complete; the message says why in the citizen's words."""


MESSAGES: dict[str, Promise] = {
    "state": _(
        "Phiên đăng nhập VNeID không khớp hoặc đã được dùng. Hãy bấm “Đăng nhập bằng VNeID” "
        "để bắt đầu lại."
    ),
    "denied": _("Bạn đã không đồng ý chia sẻ thông tin định danh từ VNeID; chưa đăng nhập."),
    "token": _(
        "Thông tin định danh VNeID gửi về không hợp lệ (chữ ký, thời hạn hoặc mã dùng một lần "
        "không đúng) nên không được chấp nhận. Hãy đăng nhập lại."
    ),
    "unreachable": _("Không kết nối được VNeID. Hãy thử lại sau hoặc đăng nhập bằng mật khẩu."),
    "claims": _("VNeID không gửi số định danh cá nhân hợp lệ; chưa đăng nhập."),
    "officer": _(
        "Tài khoản có số định danh này là tài khoản cán bộ; cán bộ đăng nhập bằng mật khẩu và "
        "xác thực hai bước."
    ),
    "inactive": _(
        "Tài khoản có số định danh này đang bị khoá nên không đăng nhập được. Hãy liên hệ bộ phận "
        "một cửa."
    ),
    "ended": _(
        "Số định danh của tài khoản này đã được xác thực qua VNeID. Mật khẩu và các cách đăng "
        "nhập đặt trước khi xác thực đã bị vô hiệu hoá; từ nay hãy đăng nhập bằng VNeID."
    ),
    "unproven": _(
        "Tài khoản VNeID chưa được xác thực mức 2 nên không thể liên kết với tài khoản đã có "
        "số định danh này. Hãy nâng mức tài khoản VNeID rồi đăng nhập lại."
    ),
}


def enabled() -> bool:
    return bool(settings.MOTCUA_VNEID_ISSUER)


@lru_cache(maxsize=4)
def client_for(issuer: str, client_id: str, client_secret: str) -> DjangoOAuth2App:
    """One client per configuration: the discovery document and JWKS are fetched once and kept
    (Authlib fetches the JWKS again when an ID token names a key it does not know)."""
    from authlib.integrations.django_client import OAuth

    oauth = OAuth()
    app: DjangoOAuth2App = oauth.register(
        "vneid",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile",
            "code_challenge_method": "S256",
            "default_timeout": settings.MOTCUA_VNEID_TIMEOUT,
        },
    )
    return app


def client() -> DjangoOAuth2App:
    return client_for(
        settings.MOTCUA_VNEID_ISSUER,
        settings.MOTCUA_VNEID_CLIENT_ID,
        settings.MOTCUA_VNEID_CLIENT_SECRET,
    )


def issuer_checked() -> str:
    """The provider's issuer, which must be the one configured: a discovery document naming
    another issuer is not our provider's (OpenID Connect Discovery §4.3)."""
    issuer = str(client().load_server_metadata().get("issuer") or "")
    if issuer.rstrip("/") != settings.MOTCUA_VNEID_ISSUER.rstrip("/"):
        logger.warning("VNeID discovery names issuer %r, not the configured one", issuer)
        raise VneidRefused(MESSAGES["unreachable"])
    return issuer


def authorize_redirect(request: HttpRequest, callback: str) -> HttpResponse:
    import requests
    from authlib.common.errors import AuthlibBaseError

    try:
        issuer_checked()
        response: HttpResponse = client().authorize_redirect(request, callback)
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError) as error:
        logger.warning("VNeID discovery failed: %s", error)
        raise VneidRefused(MESSAGES["unreachable"]) from error
    return response


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    id_number: str
    name: str
    birthdate: datetime.date | None
    level: int


def identity_from_callback(request: HttpRequest) -> Identity:
    """The verified claims of the ID token the provider sent back, or ``VneidRefused``."""
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    try:
        issuer = issuer_checked()
        token = client().authorize_access_token(
            request,
            leeway=LEEWAY_SECONDS,
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "nonce": {"essential": True},
                "exp": {"essential": True},
            },
        )
    except MismatchingStateError as error:
        raise VneidRefused(MESSAGES["state"]) from error
    except OAuthError as error:
        key = "denied" if error.error == "access_denied" else "token"
        logger.warning("VNeID refused: %s %s", error.error, error.description)
        raise VneidRefused(MESSAGES[key]) from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        logger.warning("VNeID ID token refused: %r", error)
        raise VneidRefused(MESSAGES["token"]) from error
    except requests.RequestException as error:
        raise VneidRefused(MESSAGES["unreachable"]) from error
    claims = token.get("userinfo")
    if not claims:  # no ID token came: nothing was checked
        raise VneidRefused(MESSAGES["token"])
    return identity_of(issuer, claims)


def identity_of(issuer: str, claims: dict[str, Any]) -> Identity:
    id_number = str(claims.get("personal_id") or "")
    try:
        validate_personal_id_number(id_number)
    except Exception as error:
        raise VneidRefused(MESSAGES["claims"]) from error
    try:
        birthdate = datetime.date.fromisoformat(str(claims.get("birthdate") or ""))
    except ValueError:
        birthdate = None
    level = claims.get("level")
    return Identity(
        issuer=issuer,
        subject=str(claims["sub"]),
        id_number=id_number,
        name=str(claims.get("name") or ""),
        birthdate=birthdate,
        level=level if isinstance(level, int) and 0 <= level <= VERIFIED_LEVEL else 0,
    )


@dataclass(frozen=True)
class Bound:
    """The account signed in to, and whether ways in that never proved the number were ended."""

    user: User
    unproven_ended: bool = False


def identity_bind(identity: Identity, at: datetime.datetime, ip_address: str | None) -> Bound:
    """The account this identity signs in to: the one already bound to its subject, else the
    citizen account with its personal ID number (only for a level-2 identity: a lower level does
    not prove the number), else a new citizen account. Records the level and the audit row."""
    try:
        with transaction.atomic():
            return bind(identity, at, ip_address)
    except IntegrityError as error:  # the same person signing in twice at once
        raise VneidRefused(MESSAGES["state"]) from error


def bind(identity: Identity, at: datetime.datetime, ip_address: str | None) -> Bound:
    link = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    kind = SignInEventKind.VNEID_SIGNED_IN
    if link is None:
        user = account_for(identity)
        link = OidcIdentity(
            issuer=identity.issuer, subject=identity.subject, user=user, linked_at=at
        )
        kind = SignInEventKind.VNEID_LINKED
    user = link.user
    if two_factor_applies(user):
        raise VneidRefused(MESSAGES["officer"])
    if not user.is_active:  # a locked account stays locked, whatever the way in (and no audit row
        raise VneidRefused(MESSAGES["inactive"])  # saying it signed in)
    link.id_number, link.level, link.last_sign_in_at = identity.id_number, identity.level, at
    link.save()
    ended = unproven_access_end(user, link) if kind == SignInEventKind.VNEID_LINKED else False
    profile_update(user, identity, at)
    detail = f"{identity.issuer} level {identity.level}"
    SignInEvent.objects.create(
        at=at, user=user, kind=kind, ip_address=ip_address,
        detail=f"{detail}; earlier unproven sign-in ended" if ended else detail,
    )  # fmt: skip
    return Bound(user, ended)


def unproven_access_end(user: User, link: OidcIdentity) -> bool:
    """The first level-2 identity linked to an account not yet verified proves the number is its
    owner's; whoever made the account (a password, a lower-level VNeID account) never proved it.
    Those ways in end here, else a squatter who registered another citizen's number first would
    keep reading what the verified account sees (pre-account takeover). The password is made
    unusable, which also ends the sessions it opened (their auth hash no longer matches)."""
    if link.level < VERIFIED_LEVEL or user.citizen_profile.identity_verified:
        return False
    others = OidcIdentity.objects.filter(user=user, level__lt=VERIFIED_LEVEL).exclude(pk=link.pk)
    dropped, _by_model = others.delete()
    had_password = user.has_usable_password()
    if had_password:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return bool(dropped) or had_password


def account_for(identity: Identity) -> User:
    profile = (
        CitizenProfile.objects.select_for_update()
        .select_related("user")
        .filter(id_number=identity.id_number)
        .first()
    )
    if profile is None:
        try:
            return account_services.citizen_create(
                full_name=identity.name or identity.id_number,
                id_number=identity.id_number,
                password=None,
                date_of_birth=identity.birthdate,
            )
        except ValidationError as error:  # e.g. a staff account already has that username
            raise VneidRefused(MESSAGES["officer"]) from error
    if identity.level < VERIFIED_LEVEL:
        raise VneidRefused(MESSAGES["unproven"])
    return profile.user


def profile_update(user: User, identity: Identity, at: datetime.datetime) -> None:
    """The level is the provider's word at this sign-in: it can go down as well as up. A level-2
    identity also corrects the name and date of birth the account was made with."""
    profile = user.citizen_profile
    if profile.id_number != identity.id_number:
        raise VneidRefused(MESSAGES["claims"])
    verified = identity.level >= VERIFIED_LEVEL
    profile.identity_level = identity.level
    profile.identity_verified_at = at if verified else None
    fields = ["identity_level", "identity_verified_at"]
    if verified and identity.birthdate:
        profile.date_of_birth = identity.birthdate
        fields.append("date_of_birth")
    profile.save(update_fields=fields)
    if verified and identity.name and user.full_name != identity.name:
        user.full_name = identity.name
        user.save(update_fields=["full_name"])

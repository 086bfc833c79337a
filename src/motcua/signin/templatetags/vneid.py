from __future__ import annotations

from typing import Any

from django import template

from motcua.accounts import permissions
from motcua.signin.vneid import enabled

register = template.Library()


@register.inclusion_tag("signin/vneid_button.html")
def vneid_button(next_url: str = "") -> dict[str, Any]:
    """The "Đăng nhập bằng VNeID" button, when a provider is configured."""
    return {"enabled": enabled(), "next": next_url}


@register.inclusion_tag("signin/registry_identity.html")
def registry_identity(user: Any, next_url: str = "") -> dict[str, Any]:
    """What the national population database says of a verified citizen (as VNeID vouched for
    it); for an unverified citizen account, why nothing is shown. Nothing for anyone else."""
    profile = getattr(user, "citizen_profile", None) if user.is_authenticated else None
    verified = permissions.identity_verified(user)
    return {
        "profile": profile,
        "verified": verified,
        "vneid": enabled(),
        "below_level": profile is not None and not verified and linked_to_vneid(user),
        "next": next_url,
    }


def linked_to_vneid(user: Any) -> bool:
    """Signed in through VNeID below level 2: signing in again changes nothing until the citizen
    raises the level in the VNeID app, so the pages say that rather than offer the button."""
    return bool(user.oidc_identities.exists())


@register.inclusion_tag("signin/identity_status.html")
def identity_status(profile: Any) -> dict[str, Any]:
    """The account page's line on the citizen's identity: verified through VNeID, or not."""
    below = not profile.identity_verified and linked_to_vneid(profile.user)
    return {"profile": profile, "vneid": enabled(), "below_level": below}

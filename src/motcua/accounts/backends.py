"""Sign in with a username, a personal ID number or a tax code, plus a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User
from .validators import DIGITS_ONLY, normalise_digits

# No account name is longer (User.username); a longer "identifier" is nobody's, and must never
# reach the database (SQLite refuses a LIKE pattern of 50,000 characters with an error).
MAX_IDENTIFIER = 150


def user_for_identifier(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier or len(identifier) > MAX_IDENTIFIER:
        return None
    digits = normalise_digits(identifier)
    if DIGITS_ONLY.match(digits) and len(digits) == 12:
        user = User.objects.filter(citizen_profile__id_number=digits).first()
        if user:
            return user
    if DIGITS_ONLY.match(digits) and len(digits) in (10, 13):
        tax_code = digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"
        user = User.objects.filter(business_profile__tax_code=tax_code).first()
        if user:
            return user
    return User.objects.filter(username__iexact=identifier).first()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The account a login attempt is about, however its identifier was typed.

    Throttling counts failures per account: "001 195 006 789", "001.195.006.789" and
    "001195006789" (or "STP.GIAMSAT" and "stp.giamsat") share one counter.
    """
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    user = user_for_identifier(str(typed))
    if user is not None:
        return f"user:{user.pk}"
    return "unknown:" + normalise_digits(str(typed)[:MAX_IDENTIFIER]).casefold()


class IdentifierBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = user_for_identifier(username)
        if user is None:
            # Spend the same time hashing so that unknown accounts cannot be told apart.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in account, with its citizen profile if it has one: the dossier actions
        offered to an officer ask whether the account is also the applicant (no query more)."""
        user = User._default_manager.select_related("citizen_profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

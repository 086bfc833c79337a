"""Writes to accounts: citizens, businesses; officer roles (``grants``: every role change is
audited) and API tokens (``tokens``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import NotAllowed
from motcua.organizations.models import Unit

from . import permissions
from .grants import (  # noqa: F401  (role grants live in grants.py, with their rule table)
    officer_role_change,
    officer_role_grant,
    officer_role_revoke,
)
from .models import BusinessProfile, CitizenProfile, User
from .validators import normalise_digits, normalise_phone, normalise_tax_code


def set_password_or_unusable(user: User, password: str | None) -> None:
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()


def citizen_create(
    *,
    full_name: str,
    id_number: str,
    password: str | None,
    phone: str = "",
    email: str = "",
    date_of_birth: datetime.date | None = None,
    address: str = "",
) -> User:
    """A citizen account whose username is their personal ID number."""
    id_number = normalise_digits(id_number)
    user = User(username=id_number, full_name=full_name.strip(), phone=normalise_digits(phone))
    user.email = email.strip()
    profile = CitizenProfile(id_number=id_number, date_of_birth=date_of_birth, address=address)
    set_password_or_unusable(user, password)
    user.full_clean()
    profile.full_clean(exclude=["user"])
    with transaction.atomic():
        user.save()
        profile.user = user
        profile.save()
    return user


def business_create(
    *,
    name: str,
    tax_code: str,
    representative: str,
    password: str | None,
    email: str = "",
    phone: str = "",
) -> User:
    """A business account whose username is "mst-" and its tax code (signs in with the code)."""
    tax_code = normalise_tax_code(tax_code)
    user = User(username=f"mst-{tax_code}", full_name=representative.strip(), email=email.strip())
    user.phone = normalise_phone(phone)
    profile = BusinessProfile(tax_code=tax_code, name=name.strip(), representative=representative)
    set_password_or_unusable(user, password)
    user.full_clean()
    profile.full_clean(exclude=["user"])
    with transaction.atomic():
        user.save()
        profile.user = user
        profile.save()
    return user


def citizen_contact_update(*, user: User, phone: str, email: str, address: str) -> User:
    """A citizen changes the contact details used to prefill forms and to notify them."""
    user.phone = normalise_phone(phone)
    user.email = email.strip()
    user.full_clean(exclude=["password", "username"])
    profile = user.citizen_profile
    profile.address = address.strip()
    profile.full_clean(exclude=["user"])
    with transaction.atomic():
        user.save(update_fields=["phone", "email"])
        profile.save(update_fields=["address"])
    return user


def require_capability(actor: User | None, capability: str, unit: Unit) -> None:
    """``actor=None`` is the system itself (loaders, demo data)."""
    if actor is None or actor.is_superuser:
        return
    if not permissions.has_capability(actor, capability, unit):
        raise NotAllowed(
            _("Bạn không có quyền thực hiện thao tác này tại đơn vị %(unit)s.")
            % {"unit": unit.name}
        )

"""QA (session 10): a squatter who registered another citizen's personal ID number before that
citizen ever proved it must lose the account the moment its owner links a level-2 VNeID
identity: by a password, or by a lower-level VNeID account of theirs (pre-account takeover)."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.common.clock import now
from motcua.signin.models import OidcIdentity
from motcua.signin.vneid import Identity, VneidRefused, identity_bind
from tests.factories import PASSWORD, citizen

ISSUER = "https://vneid.test"
NUMBER = "001090012345"


def identity(subject: str, level: int) -> Identity:
    return Identity(
        issuer=ISSUER, subject=subject, id_number=NUMBER, name="Nguyễn Văn An",
        birthdate=None, level=level,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_lower_level_squatter_loses_the_account_its_owner_proves() -> None:
    squatter = identity_bind(identity("squatter", 0), now(), None).user
    owner = identity_bind(identity("owner", 2), now(), None)
    assert owner.user == squatter
    assert owner.unproven_ended
    assert not OidcIdentity.objects.filter(subject="squatter").exists()
    with pytest.raises(VneidRefused):  # the squatter comes back: refused, not signed in
        identity_bind(identity("squatter", 0), now(), None)
    owner.user.citizen_profile.refresh_from_db()
    assert owner.user.citizen_profile.identity_verified


@pytest.mark.django_db
def test_a_password_set_before_the_number_was_proven_stops_working() -> None:
    squatter = citizen(id_number=NUMBER)
    browser = Client()
    browser.force_login(squatter)
    assert browser.get("/ho-so-cua-toi/").status_code == 200
    bound = identity_bind(identity("owner", 2), now(), None)
    assert bound.user == squatter
    assert bound.unproven_ended
    bound.user.refresh_from_db()
    assert not bound.user.has_usable_password()
    assert not bound.user.check_password(PASSWORD)
    # The session the password opened is over too.
    assert browser.get("/ho-so-cua-toi/").status_code == 302


@pytest.mark.django_db
def test_an_account_already_verified_keeps_its_ways_in() -> None:
    first = identity_bind(identity("owner", 2), now(), None)
    assert not first.unproven_ended
    again = identity_bind(identity("owner-renewed", 2), now(), None)
    assert again.user == first.user
    assert not again.unproven_ended
    assert OidcIdentity.objects.filter(user=first.user).count() == 2


@pytest.mark.django_db
def test_a_locked_account_is_not_signed_in_through_vneid() -> None:
    """QA: a deactivated account was "signed in" (audit row, level updated) yet anonymous."""
    locked = citizen(id_number=NUMBER)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    with pytest.raises(VneidRefused, match="bị khoá"):
        identity_bind(identity("owner", 2), now(), None)
    assert not OidcIdentity.objects.exists()
    locked.citizen_profile.refresh_from_db()
    assert not locked.citizen_profile.identity_verified

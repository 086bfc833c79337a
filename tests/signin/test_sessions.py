"""Idle timeout and absolute lifetime of a session (time moved by editing the session's stamps)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName
from motcua.signin.constants import SignInEventKind
from motcua.signin.models import SignInEvent
from motcua.signin.policy import (
    SESSION_IDLE_MINUTES,
    SESSION_SEEN_AT,
    SESSION_SIGNED_IN_AT,
    epoch,
)
from tests import factories

from .helpers import BRANCH, signed_in

pytestmark = pytest.mark.django_db
MINUTE = 60


def move_back(client: Client, key: str, seconds: int) -> None:
    """As if ``seconds`` had passed since the stamp ``key`` was written."""
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("web:account")).status_code == 200


def test_an_officer_idle_for_more_than_30_minutes_is_signed_out() -> None:
    officer = factories.officer(BRANCH, OfficerRoleName.RECEPTION)
    client = signed_in(officer)
    move_back(client, SESSION_SEEN_AT, 31 * MINUTE)
    response = client.get(reverse("web:workspace"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("không có thao tác nào trong 30 phút" in text for text in shown)
    assert not is_signed_in(client)
    assert SignInEvent.objects.filter(user=officer, kind=SignInEventKind.IDLE_EXPIRED).exists()


def test_an_officer_active_within_30_minutes_stays_signed_in() -> None:
    client = signed_in(factories.officer(BRANCH, OfficerRoleName.RECEPTION))
    for _ in range(3):  # an hour and a half of work, a request every 29 minutes
        move_back(client, SESSION_SEEN_AT, 29 * MINUTE)
        assert client.get(reverse("web:workspace")).status_code == 200


def test_a_citizen_gets_two_hours() -> None:
    client = signed_in(factories.citizen())
    assert client.session[SESSION_IDLE_MINUTES] == 120
    move_back(client, SESSION_SEEN_AT, 119 * MINUTE)
    assert is_signed_in(client)
    move_back(client, SESSION_SEEN_AT, 121 * MINUTE)
    assert not is_signed_in(client)


def test_activity_does_not_extend_a_session_past_its_maximum_lifetime() -> None:
    officer = factories.officer(BRANCH, OfficerRoleName.RECEPTION)
    client = signed_in(officer)
    move_back(client, SESSION_SIGNED_IN_AT, 12 * 60 * MINUTE + 1)
    response = client.get(reverse("web:workspace"))
    assert response["Location"].startswith(reverse("login"))
    assert SignInEvent.objects.filter(user=officer, kind=SignInEventKind.MAX_AGE_EXPIRED).exists()


def test_a_session_without_stamps_is_not_trusted() -> None:
    client = signed_in(factories.citizen())
    session = client.session
    for key in (SESSION_SIGNED_IN_AT, SESSION_SEEN_AT, SESSION_IDLE_MINUTES):
        del session[key]
    session.save()
    assert not is_signed_in(client)


def test_the_last_activity_is_written_at_most_once_a_minute() -> None:
    client = signed_in(factories.citizen())
    move_back(client, SESSION_SEEN_AT, 30)
    stamp = client.session[SESSION_SEEN_AT]
    client.get(reverse("web:account"))
    assert client.session[SESSION_SEEN_AT] == stamp
    move_back(client, SESSION_SEEN_AT, 5 * MINUTE)
    client.get(reverse("web:account"))
    assert client.session[SESSION_SEEN_AT] >= epoch() - 5


def test_the_session_cookie_lives_no_longer_than_the_session() -> None:
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * MINUTE
    assert settings.SESSION_COOKIE_AGE < 14 * 24 * 60 * MINUTE


def test_idle_limits_follow_the_settings(settings: Any) -> None:
    settings.MOTCUA_IDLE_MINUTES_OFFICER = 10
    client = signed_in(factories.officer(BRANCH, OfficerRoleName.LEADER))
    move_back(client, SESSION_SEEN_AT, 11 * MINUTE)
    assert client.get(reverse("web:workspace")).status_code == 302

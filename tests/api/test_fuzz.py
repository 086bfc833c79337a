"""Schemathesis fuzzes every operation of the committed OpenAPI document (docs/openapi.json, the one
the API serves: tests/api checks they are equal) against the app itself, in this process: no
server error, and every response (status, content type, body, headers) matches the document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from motcua.accounts.constants import ApiTokenScope
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.tokens import api_token_issue
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, decided, submitted

SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
# What "matches the document" means; stateful and auth-probing checks need scenarios we don't model.
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def app(settings: Any) -> Iterator[WSGIHandler]:
    """The app as gunicorn runs it, minus the per-request connection reset that would close the
    test's transaction (Django's own test client drops it the same way)."""
    # Every example from one address: the flood limit would answer most of them (429 is in the
    # document; tests/api/test_rate_limit.py covers it).
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "api": "0/1"}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def dossiers(db: None) -> None:
    """A received and a decided dossier, so that reads by reference can find something."""
    staff = Staff()
    submitted(staff)
    decided(staff)


@pytest.fixture
def token(dossiers: None) -> str:
    officer = factories.officer(POLICE, Role.LEADER)
    _, secret = api_token_issue(
        actor=None, owner=officer, name="fuzz", scope=ApiTokenScope.ACT, units=None
    )
    return secret


schema = schemathesis.openapi.from_path(SPEC)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    # One data set per operation on purpose: examples share it, as calls to a running API would.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, app: WSGIHandler, token: str
) -> None:
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_a_body_that_is_not_json_is_refused_in_vietnamese_and_english(token: str) -> None:
    response = Client().post(
        "/api/v1/dossiers", "x\x07{", content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "body_unreadable"
    assert "JSON" in body["message"]
    assert body["message"] != body["message_en"]

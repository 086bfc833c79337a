"""The audit scan's quick check (orjson, payloads read as text, times formatted by PostgreSQL)
says "intact" only for what the exact check says is intact, and falls back to the exact check
for every value the quick encoding writes in another form."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.audit import (
    canonical,
    dumps_flat,
    dumps_quick,
    event_mac,
    quick_payload,
    sealed_content,
)
from motcua.dossiers.audit_keys import chain_keys
from motcua.dossiers.audit_stream import UTC_TEXT, sealed_events
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import Staff, received

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command(
            "audit", "verify", "--no-root", "--workers", "1", stdout=out, stderr=StringIO()
        )
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def seal_last_event_with(dossier: Dossier, payload: Any) -> DossierEvent:
    """What the kernel does, with the key: the last event's payload, sealed as it reads back."""
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert event is not None
    DossierEvent.objects.filter(pk=event.pk).update(payload=payload)
    event = DossierEvent.objects.get(pk=event.pk)
    keys = chain_keys(create=True)
    assert keys is not None
    event.hash = event_mac(dossier.ref, event, keys.by_id[event.key_id])
    DossierEvent.objects.filter(pk=event.pk).update(hash=event.hash)
    Dossier.objects.filter(pk=dossier.pk).update(last_event_hash=event.hash)
    return event


AWKWARD = [
    {"tiny": 1e-7, "big": 1e300},  # floats: orjson writes 1e-7 where json writes 1e-07
    {"n": 2**70, "m": -(2**64)},  # beyond 64 bits: orjson reads them as floats
    {"ß": [1, None, "\x07\u2028"], "a": {"z": True, "b": 0.1}},  # nested, escapes, unicode keys
]


@pytest.mark.parametrize("payload", AWKWARD)
def test_payloads_the_quick_check_cannot_write_verify_by_the_exact_one(
    staff: Staff, payload: Any
) -> None:
    dossier = received(staff)
    seal_last_event_with(dossier, payload)
    assert verify()[0] == 0


def test_the_awkward_payloads_do_take_the_exact_path(staff: Staff) -> None:
    """Not a vacuous test: for the first two payloads the quick bytes differ from the exact."""
    differing = 0
    for payload in AWKWARD:
        dossier = received(staff)
        seal_last_event_with(dossier, payload)
        row = list(sealed_events(DossierEvent.objects.filter(dossier=dossier)))[-1]
        assert row.payload == DossierEvent.objects.get(dossier=dossier, seq=row.seq).payload
        exact = dumps_flat(sealed_content(dossier.ref, row, row.payload))
        differing += dumps_quick(sealed_content(dossier.ref, row, quick_payload(row))) != exact
    assert differing == 2


@pytest.mark.parametrize("payload", AWKWARD)
def test_an_edited_awkward_payload_is_detected(staff: Staff, payload: Any) -> None:
    dossier = received(staff)
    event = seal_last_event_with(dossier, payload)
    edited = {**payload, "added": 1}
    DossierEvent.objects.filter(pk=event.pk).update(payload=edited)
    code, output = verify()
    assert code == 1
    assert f"{dossier.ref}#{event.seq}: " in output


def test_an_edited_time_is_detected(staff: Staff) -> None:
    dossier = received(staff)
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert event is not None
    moved = event.at + datetime.timedelta(microseconds=1)
    DossierEvent.objects.filter(pk=event.pk).update(at=moved)
    code, output = verify()
    assert code == 1
    assert f"{dossier.ref}#{event.seq}: " in output


moments = st.datetimes(
    min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30),
    timezones=st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=7)),
                               datetime.timezone(datetime.timedelta(hours=-9, minutes=-30))]),
)  # fmt: skip


@pytest.mark.postgres
@settings(max_examples=300, deadline=None)
@given(moments)
def test_postgresql_writes_times_as_the_seal_does(moment: datetime.datetime) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the times are formatted by PostgreSQL there only")
    with connection.cursor() as cursor:
        # Whatever the session's time zone (Django sets UTC; a console session need not).
        cursor.execute("SET LOCAL TIME ZONE 'Asia/Ho_Chi_Minh'")
        cursor.execute("SELECT " + UTC_TEXT % {"expressions": "%s::timestamptz"}, [moment])
        (written,) = cursor.fetchone()
    assert written == canonical(moment)


def test_facts_format_every_time_and_only_times(staff: Staff) -> None:
    """``facts_of`` formats only the fact columns that are times (a fifth of the scan's time
    went in asking ``canonical`` of all 25): the same facts as formatting every value."""
    from motcua.dossiers.audit import FACT_FIELDS, facts_of

    dossier = Dossier.objects.get(pk=received(staff).pk)
    everything = {name: canonical(getattr(dossier, name)) for name in FACT_FIELDS}
    assert facts_of(dossier) == everything
    assert any(isinstance(getattr(dossier, name), datetime.datetime) for name in FACT_FIELDS)


def test_the_begun_mac_is_the_keyed_hmac() -> None:
    """The object each event's check copies computes HMAC-SHA256 with the key, as ``hmac``."""
    import hmac

    from motcua.dossiers.audit_keys import mac_begun

    for secret, message in [(b"k" * 32, b"{}"), (b"\x00\xff" * 40, "tiếng Việt".encode())]:
        mac = mac_begun(secret).copy()
        mac.update(message)
        assert mac.hexdigest() == hmac.new(secret, message, "sha256").hexdigest()

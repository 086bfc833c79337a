"""The public lookup (issue 12): one query when it succeeds (the dossier, its history and the
failure counts together), one upsert more when it fails; the limits of issue 3 per address (those
per dossier are issue 18's: ``tests/portal/test_throttles.py``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.common import throttle
from motcua.common.clock import now
from motcua.common.models import RateCount
from motcua.common.tasks import rate_counts_prune_task
from motcua.portal.services import TooManyLookups, dossier_lookup
from tests.dossiers.conftest import Staff, decided, received

pytestmark = pytest.mark.django_db


def look(code: str, digits: str, ip: str = "10.7.7.7") -> Any:
    return Client().post(reverse("portal:lookup"), {"code": code, "digits": digits}, REMOTE_ADDR=ip)


def statements(call: Any) -> list[str]:
    with CaptureQueriesContext(connection) as done:
        call()
    return [q["sql"] for q in done.captured_queries]


def test_a_successful_lookup_is_one_query(staff: Staff) -> None:
    dossier = decided(staff)
    look(dossier.code, "2345")
    done = statements(lambda: look(dossier.code, "2345"))
    assert len(done) == 1, "\n".join(done)
    page = look(dossier.ref, "2345").content.decode()
    assert "Đã giải quyết xong" in page
    assert "Quá trình giải quyết" in page
    assert not RateCount.objects.exists()  # a success writes nothing


def test_a_failed_lookup_adds_one_upsert(staff: Staff) -> None:
    dossier = received(staff)
    done = statements(lambda: look(dossier.code, "0000"))
    assert len(done) == 2, "\n".join(done)
    assert done[1].upper().startswith("INSERT")
    done = statements(lambda: look("NO-SUCH-CODE", "0000"))
    assert len(done) == 3, "\n".join(done)  # no dossier: the counts are read on their own
    counters = dict(RateCount.objects.values_list("name", "hits"))
    assert counters == {
        "lookup-address:10.7.7.7": 2,
        f"lookup-address-dossier:10.7.7.7|{dossier.ref}": 1,
        f"lookup-dossier:{dossier.ref}": 1,
        "lookup-address-dossier:10.7.7.7|NO-SUCH-CODE": 1,
        "lookup-dossier:NO-SUCH-CODE": 1,
    }


def test_successes_never_count_towards_the_limits(staff: Staff) -> None:
    dossier = received(staff)
    for _ in range(25):
        assert look(dossier.code, "2345").status_code == 200
    assert "Đã tiếp nhận" in look(dossier.code, "2345").content.decode()


def test_the_limit_per_address_holds_for_any_code(staff: Staff) -> None:
    dossier = received(staff)
    for guess in range(20):
        assert look(f"NO-{guess}", "0000", ip="10.8.8.8").status_code == 200
    assert look(dossier.code, "2345", ip="10.8.8.8").status_code == 429
    assert look(dossier.code, "2345", ip="10.8.8.9").status_code == 200


def test_failures_older_than_fifteen_minutes_no_longer_count(staff: Staff) -> None:
    dossier = received(staff)
    earlier = now() - datetime.timedelta(minutes=17)
    for guess in range(5):
        dossier_lookup(code=dossier.code or "", last_digits=f"{guess:04d}", ip="10.1.1.1", at=earlier)  # fmt: skip
    with pytest.raises(TooManyLookups):
        dossier_lookup(code=dossier.ref, last_digits="2345", ip="10.1.1.1", at=earlier)
    found = dossier_lookup(code=dossier.ref, last_digits="2345", ip="10.1.1.1", at=now())
    assert found is not None
    assert found.pk == dossier.pk


def test_old_counters_are_deleted_by_the_scheduled_task(staff: Staff) -> None:
    dossier = received(staff)
    old = now() - datetime.timedelta(hours=25)  # counters are kept a day
    dossier_lookup(code=dossier.ref, last_digits="0000", ip="10.2.2.2", at=old)
    assert RateCount.objects.filter(minute=throttle.minute_of(old)).exists()
    dossier_lookup(code=dossier.ref, last_digits="0001", ip="10.2.2.2", at=now())
    assert RateCount.objects.filter(minute=throttle.minute_of(old)).exists()  # not in a request
    rate_counts_prune_task.call()
    assert not RateCount.objects.filter(minute=throttle.minute_of(old)).exists()
    assert RateCount.objects.filter(minute=throttle.minute_of(now())).count() == 3

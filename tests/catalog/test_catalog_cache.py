"""The catalog served from each process's memory (issue 12): a procedure's detail and a search
cost one indexed read (the catalog's token) once ready, and every change of the catalog — in
this process, in another one, through the admin site, a service or an import — is seen by the
next request; a rolled-back change is not.

Outside a transaction (as a request is served), the public answers trust a token read less than
``MOTCUA_CATALOG_FRESH_SECONDS`` ago (decision 0045): no query at all, another machine's change
served once that time has passed, this process's own change at once. (The other tests run
inside the test's transaction, where the token is always read.)"""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import CatalogRevision, Channel, Fee, Procedure, Synonym
from motcua.catalog.revision import catalog_changed
from motcua.catalog.services import popularity_seed, synonym_save

pytestmark = pytest.mark.django_db
DETAIL = "/api/v1/procedures/1.004222"


def queries(call: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as done:
        result = call()
    return result, [q["sql"] for q in done.captured_queries]


def residence() -> Procedure:
    found = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set", "pk").first()
    assert found is not None
    return found


def change_from_another_machine(name: str) -> None:
    """What another machine's commit looks like from here: new rows and a new token, no signal."""
    Procedure.objects.filter(pk=residence().pk).update(name=name)
    CatalogRevision.objects.filter(pk=1).update(token=secrets.token_hex(16))


def change_rolled_back(client: Client) -> None:
    """A change made inside a transaction and rolled back: served inside it (where the token is
    always read), asserted here; after it, the caller asserts that it is not."""
    with transaction.atomic():
        savepoint = transaction.savepoint()
        Procedure.objects.filter(pk=residence().pk).update(name="Không được lưu")
        catalog_changed()
        assert client.get(DETAIL).json()["name"] == "Không được lưu"
        transaction.savepoint_rollback(savepoint)


def test_a_ready_detail_costs_one_read_and_is_the_same_body() -> None:
    client = Client()
    first = client.get(DETAIL)
    second, done = queries(lambda: client.get(DETAIL))
    assert len(done) == 1, done
    assert "catalog_catalogrevision" in done[0]
    assert second.content == first.content
    assert second["Content-Type"] == "application/json; charset=utf-8"
    assert second.json()["code"] == "1.004222"


def test_a_ready_search_costs_one_read() -> None:
    client = Client()
    first = client.get("/api/v1/procedures", {"q": "nhập hộ khẩu", "page_size": 5})
    second, done = queries(lambda: client.get("/api/v1/procedures", {"q": "nhập hộ khẩu", "page_size": 5}))  # fmt: skip
    assert len(done) == 1, done
    assert second.content == first.content
    assert second.json()["items"][0]["code"] == "1.004222"
    other = client.get("/api/v1/procedures", {"q": "nhập hộ khẩu", "page_size": 6}).json()
    assert len(other["items"]) == 6


def test_unknown_codes_and_units_are_still_clear_404s() -> None:
    client = Client()
    for _ in range(2):
        assert client.get("/api/v1/procedures/9.999999").status_code == 404
    long = client.get(f"/api/v1/procedures/{'9' * 500}")
    assert long.status_code == 404
    assert len(long.content) < 400  # the message does not echo all it was sent
    for _ in range(2):
        response = client.get("/api/v1/procedures", {"q": "khai sinh", "unit": "nowhere"})
        assert response.status_code == 404


def test_a_change_saved_anywhere_is_served_next() -> None:
    client = Client()
    client.get(DETAIL)
    procedure = residence()
    procedure.name = "Đăng ký thường trú (sửa)"
    procedure.save()  # a save: the signal writes the new token
    assert client.get(DETAIL).json()["name"] == "Đăng ký thường trú (sửa)"
    fee = Fee.objects.filter(channel__procedure=procedure).first()
    assert fee is not None
    Fee.objects.filter(pk=fee.pk).update(amount_vnd=123_456)  # no signal: bulk paths say so
    catalog_changed()
    amounts = [f["amount_vnd"] for c in client.get(DETAIL).json()["channels"] for f in c["fees"]]
    assert 123_456 in amounts


def test_a_change_committed_by_another_process_is_served_next() -> None:
    client = Client()
    client.get(DETAIL)
    change_from_another_machine("Đổi ở máy khác")
    assert client.get(DETAIL).json()["name"] == "Đổi ở máy khác"


def test_synonyms_popularity_and_admin_edits_reach_search() -> None:
    client = Client()
    before = client.get("/api/v1/procedures", {"q": "chuyen nha sang phuong moi"}).json()
    synonym_save(phrase="chuyển nhà sang phường mới", expansion="đăng ký thường trú")
    after = client.get("/api/v1/procedures", {"q": "chuyen nha sang phuong moi"}).json()
    # Ranked search finds something for any of these words; the synonym is what puts permanent
    # residence first (decision 0023: no longer "every word must match", so no count to compare).
    assert not before["items"] or before["items"][0]["code"] != "1.004222"
    assert after["items"][0]["code"] == "1.004222"
    token = CatalogRevision.objects.get(pk=1).token
    popularity_seed()  # an update without signals: it says so itself
    assert CatalogRevision.objects.get(pk=1).token != token
    admin = get_user_model().objects.create_superuser("quantri", password="Mat-khau-1-dai")
    browser = Client()
    browser.force_login(admin)
    channel = Channel.objects.filter(procedure=residence()).first()
    assert channel is not None
    client.get(DETAIL)
    browser.post(f"/quan-tri/catalog/channel/{channel.pk}/delete/", {"post": "yes"})
    assert not Channel.objects.filter(pk=channel.pk).exists()
    assert len(client.get(DETAIL).json()["channels"]) == residence().channels.count()


def test_each_change_writes_a_token_and_a_rollback_brings_back_the_old_one() -> None:
    before = CatalogRevision.objects.get(pk=1)
    with transaction.atomic():
        for word in ("một", "hai", "ba"):
            Synonym.objects.create(phrase=word, expansion="thường trú", phrase_folded=word)
    after = CatalogRevision.objects.get(pk=1)
    assert after.number == before.number + 3
    assert after.token != before.token
    client = Client()
    client.get(DETAIL)
    change_rolled_back(client)
    assert CatalogRevision.objects.get(pk=1).token == after.token
    assert client.get(DETAIL).json()["name"] != "Không được lưu"


def test_two_changes_in_one_transaction_are_both_seen_in_between() -> None:
    client = Client()
    with transaction.atomic():
        Procedure.objects.filter(pk=residence().pk).update(name="Lần một")
        catalog_changed()
        assert client.get(DETAIL).json()["name"] == "Lần một"
        Procedure.objects.filter(pk=residence().pk).update(name="Lần hai")
        catalog_changed()
        assert client.get(DETAIL).json()["name"] == "Lần hai"


@pytest.mark.django_db(transaction=True)
def test_public_answers_trust_a_fresh_token_and_serve_another_machines_change_after_it(
    settings: Any,
) -> None:
    settings.MOTCUA_CATALOG_FRESH_SECONDS = 60
    client = Client()
    first = client.get(DETAIL)
    client.get("/api/v1/procedures", {"q": "khai sinh"})
    (detail, search), done = queries(
        lambda: (client.get(DETAIL), client.get("/api/v1/procedures", {"q": "khai sinh"}))
    )
    assert done == []  # no token read, no connection check: no statement at all
    assert detail.content == first.content
    assert search.json()["items"]
    change_from_another_machine("Đổi ở máy khác")
    assert client.get(DETAIL).json()["name"] != "Đổi ở máy khác"  # within the fresh time
    settings.MOTCUA_CATALOG_FRESH_SECONDS = 0.2
    time.sleep(0.25)
    assert client.get(DETAIL).json()["name"] == "Đổi ở máy khác"


@pytest.mark.django_db(transaction=True)
def test_this_processs_own_change_is_served_at_once_and_a_rolled_back_one_never(
    settings: Any,
) -> None:
    settings.MOTCUA_CATALOG_FRESH_SECONDS = 60
    client = Client()
    client.get(DETAIL)
    procedure = residence()
    procedure.name = "Sửa trong máy này"
    procedure.save()  # the signal writes the token, and this process counts its change
    assert client.get(DETAIL).json()["name"] == "Sửa trong máy này"
    change_rolled_back(client)  # inside the transaction the token is read, never trusted
    assert client.get(DETAIL).json()["name"] == "Sửa trong máy này"

"""Counter reception: one code per form, however often it is posted; competence is checked."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from tests import factories
from tests.counter import counter_post

from .conftest import Staff

pytestmark = pytest.mark.django_db

FORM = {"procedure": "1.004222", "name": "Lê Văn Cường"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_token(client: Client) -> str:
    page = client.get(reverse("dossiers:reception"), {"procedure": "1.004222"}).content.decode()
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_double_click_issues_one_code(staff: Staff) -> None:
    client = signed_in(staff.reception)
    token = form_token(client)
    first = counter_post(client, {**FORM, "form_token": token})
    second = counter_post(client, {**FORM, "form_token": token})
    dossier = Dossier.objects.get(applicant_name="Lê Văn Cường")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("dossiers:detail", args=[dossier.ref])
    assert form_token(client) != token  # a fresh form, a fresh token


def test_a_token_of_another_officer_or_forged_is_refused(staff: Staff) -> None:
    token = form_token(signed_in(staff.reception))
    other = signed_in(factories.officer("hn-cong-an-phuong-hoan-kiem", Role.RECEPTION))
    for given in (token, token[:-2] + "xx"):
        response = counter_post(other, {**FORM, "form_token": given})
        assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_unit_without_competence_is_refused_at_the_counter(db: None) -> None:
    client = signed_in(factories.officer("hn-so-tu-phap", Role.RECEPTION))
    response = counter_post(client, FORM)
    assert "không có thẩm quyền tiếp nhận thủ tục 1.004222" in response.content.decode()
    assert not Dossier.objects.exists()
    # Said as soon as the procedure is chosen: no form to fill in vain.
    chosen = client.get(reverse("dossiers:reception"), {"procedure": "1.004222"}).content.decode()
    assert "không có thẩm quyền tiếp nhận thủ tục 1.004222" in chosen
    assert 'name="form_token"' not in chosen


def test_a_wards_one_stop_counter_receives_its_polices_procedure(db: None) -> None:
    """1.004222 is decided by the ward police; the ward's one-stop counter receives it and
    forwards the step to them (the inter-agency path of the kernel issue)."""
    client = signed_in(factories.officer("hn-phuong-hoan-kiem", Role.RECEPTION))
    response = counter_post(client, FORM)
    assert response.status_code == 302
    assert Dossier.objects.get().receiving_unit.code == "hn-phuong-hoan-kiem"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent POSTs are a PostgreSQL test; SQLite serialises writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_once_issue_one_code() -> None:
    staff = Staff()
    token = form_token(signed_in(staff.reception))
    places: list[str] = []

    def post() -> None:
        try:
            response = signed_in(staff.reception).post(
                reverse("dossiers:reception"), {**FORM, "form_token": token}
            )
            places.append(response["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Dossier.objects.count() == 1
    assert places == [reverse("dossiers:detail", args=[Dossier.objects.get().ref])] * 2


def test_an_expired_form_is_refused_once_and_then_received_with_what_was_typed(
    staff: Staff,
) -> None:
    client = signed_in(staff.reception)
    expired = "not-a-signed-token"
    refused = counter_post(client, {**FORM, "form_token": expired})
    page = refused.content.decode()
    assert "Biểu mẫu đã hết hạn" in page
    assert not Dossier.objects.exists()
    assert "Lê Văn Cường" in page  # nothing typed is lost
    fresh = re.search(r'name="form_token" value="([^"]+)"', page)
    assert fresh is not None
    assert fresh.group(1) != expired
    sent = counter_post(client, {**FORM, "form_token": fresh.group(1)})
    assert sent.status_code == 302
    assert Dossier.objects.count() == 1


def test_a_form_without_its_token_receives_nothing_and_keeps_what_was_typed(db: None) -> None:
    """A POST that lost its one-time token (a hand-made request, a page from an older release)
    could not be told from its own double click: refused, nothing received, the same page back
    with what was typed and a token, so one more press receives it once."""
    client = signed_in(factories.officer("hn-phuong-hoan-kiem", Role.RECEPTION))
    refused = client.post(reverse("dossiers:reception"), FORM)
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Biểu mẫu thiếu mã gửi một lần" in page
    assert f'value="{FORM["name"]}"' in page
    assert not Dossier.objects.exists()
    fresh = re.search(r'name="form_token" value="([^"]+)"', page)
    assert fresh is not None
    sent = client.post(reverse("dossiers:reception"), {**FORM, "form_token": fresh.group(1)})
    assert sent.status_code == 302
    assert Dossier.objects.count() == 1

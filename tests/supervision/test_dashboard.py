"""The supervision dashboard (issue 17): the city supervisor's view, the drill-down to a unit, its
late dossiers and their timeline; who may open which unit; the same figures as the indicators'
report; a fixed number of queries whatever the data, drilled by unit, field or procedure."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor
from motcua.accounts.models import User
from motcua.organizations.models import Unit
from motcua.supervision.compute import Period, Scope, report
from motcua.supervision.rollup import catch_up
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, decided, received, residence

pytestmark = pytest.mark.django_db

MARCH = "from=01/03/2026&to=31/03/2026"


def city_supervisor() -> Client:
    ensure_city_supervisor("mat-khau-thu")
    client = Client()
    client.force_login(User.objects.get(username=CITY_SUPERVISOR))
    return client


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found, name
    return found.group(1)


def test_the_city_supervisor_sees_the_city_and_drills_to_a_late_dossier(staff: Staff) -> None:
    late = received(staff, "2026-03-02 09:00")  # 7 working days: late by the end of March
    decided(staff, "2026-03-03 09:00")  # signed the next day: on time
    client = city_supervisor()
    city = client.get(f"/giam-sat/?{MARCH}")
    assert city.status_code == 200
    text = city.content.decode()
    assert "Toàn thành phố Hà Nội" in text
    assert figure(text, "on-time") == "50,00 %"
    assert figure(text, "late") == "1"
    assert "Công an thành phố Hà Nội" in text or "hn-cong-an" in text
    # Every unit under the city's police is one row; the ward police is one level further down.
    police_parent = Unit.objects.get(code=POLICE).parent
    assert police_parent is not None
    assert f"unit={police_parent.code}" in text
    unit_page = client.get(f"/giam-sat/?unit={police_parent.code}&{MARCH}").content.decode()
    assert f"unit={POLICE}" in unit_page
    ward = client.get(f"/giam-sat/?unit={POLICE}&{MARCH}").content.decode()
    assert figure(ward, "late") == "1"
    for accessible in ("<svg", "<title id=", "<desc id=", "Bảng số liệu của biểu đồ"):
        assert accessible in ward
    listing = client.get(f"/giam-sat/tre-han/?unit={POLICE}&{MARCH}").content.decode()
    assert late.code in listing
    assert f"/can-bo/dong-thoi-gian/{late.ref}/" in listing
    assert client.get(f"/can-bo/dong-thoi-gian/{late.ref}/").status_code == 200


def test_the_page_shows_the_figures_of_the_indicators_report(staff: Staff) -> None:
    received(staff, "2026-03-02 09:00")
    decided(staff, "2026-03-04 09:00")
    decided(staff, "2026-03-20 09:00")
    page = city_supervisor().get(f"/giam-sat/?unit={POLICE}&{MARCH}").content.decode()
    catch_up()
    police = Unit.objects.get(code=POLICE)
    answer = report(Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
                    Scope(unit_ids=frozenset({police.pk})))  # fmt: skip
    on_time = answer["indicators"]["2.1"]
    assert figure(page, "on-time") == f"{on_time['value']:.2f} %".replace(".", ",")
    assert figure(page, "late") == str(on_time["den"] - on_time["num"])
    assert figure(page, "index") == f"{answer['total']:.2f}".replace(".", ",")


def test_a_ward_supervisor_sees_the_ward_and_no_other(staff: Staff) -> None:
    received(staff, "2026-03-02 09:00")
    police = Unit.objects.get(code=POLICE)
    supervisor = signed_in(factories.officer(POLICE, Role.SUPERVISOR))
    own = supervisor.get(f"/giam-sat/?{MARCH}")
    assert own.status_code == 200
    assert police.name in own.content.decode()
    sibling = Unit.objects.filter(parent=police.parent).exclude(pk=police.pk).order_by("code")[0]
    assert police.parent is not None
    for url in (f"/giam-sat/?unit={sibling.code}", f"/giam-sat/tre-han/?unit={sibling.code}",
                f"/giam-sat/bao-cao.xlsx?unit={sibling.code}", f"/giam-sat/?unit={police.parent.code}",
                "/giam-sat/?unit=khong-co-don-vi-nay"):  # fmt: skip
        assert supervisor.get(url).status_code == 404, url
    assert supervisor.get(f"/giam-sat/tre-han/?unit={POLICE}&{MARCH}").status_code == 200


def test_officers_without_report_rights_are_refused(staff: Staff) -> None:
    for url in (
        "/giam-sat/",
        "/giam-sat/tre-han/",
        "/giam-sat/bao-cao.xlsx",
        "/giam-sat/bao-cao.pdf",
    ):
        assert signed_in(staff.specialist).get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url  # to the sign-in page


@pytest.mark.parametrize("period", ["from=31/02/2026", "from=2026-13-01", "from=01/03/2026&to=01/02/2026",
                                    "from=01/01/2024&to=31/12/2026", "from=x&to=%01"])  # fmt: skip
def test_a_bad_period_is_said_not_crashed(staff: Staff, period: str) -> None:
    client = city_supervisor()
    page = client.get(f"/giam-sat/?{period}")
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()
    answer = client.get(f"/giam-sat/bao-cao.xlsx?{period}")
    assert answer.status_code == 400


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # the rollup caught up, the session warm
    with CaptureQueriesContext(connection) as caught:
        assert client.get(url).status_code == 200
    return len(caught.captured_queries)


def test_the_number_of_queries_does_not_grow_with_units_months_or_dossiers(staff: Staff) -> None:
    client = city_supervisor()
    police = Unit.objects.get(code=POLICE)
    field = residence().field_id
    urls = ["/giam-sat/?from=01/01/2026&to=31/10/2026", f"/giam-sat/?unit={police.parent.code}&{MARCH}",
            f"/giam-sat/tre-han/?{MARCH}", f"/giam-sat/?field={field}&{MARCH}",
            f"/giam-sat/?unit={police.parent.code}&field={field}&procedure=1.004222&{MARCH}",
            f"/giam-sat/tre-han/?field={field}&{MARCH}"]  # fmt: skip
    received(staff, "2026-03-02 09:00")
    before = [queries_for(client, url) for url in urls]
    for when in ("2026-03-03 09:00", "2026-05-04 09:00", "2026-07-06 09:00", "2026-09-07 09:00"):
        decided(staff, when)
    sibling = Unit.objects.filter(parent=police.parent).exclude(pk=police.pk).order_by("code")[0]
    other = Staff.__new__(Staff)
    other.reception = factories.officer(sibling.code, Role.RECEPTION)
    from motcua.dossiers.services import Applicant, dossier_receive, dossier_submit
    from tests.dossiers.conftest import at

    for when in ("2026-03-05 09:00", "2026-08-03 09:00"):
        dossier = dossier_submit(
            procedure=residence(), receiving_unit=sibling, channel="online", at=at(when),
            applicant=Applicant("Phạm Thị Hoa", "001090011111"), actor=other.reception,
        )  # fmt: skip
        dossier_receive(dossier=dossier, actor=other.reception, at=at(when))
    after = [queries_for(client, url) for url in urls]
    assert after == before
    # Session, user, roles and the tree of units, rollup, figures; the units' feedback (their
    # 766 index) and the fields or procedures (feedback, names) one query each; the bundle
    # figures (one query without bundles, two with); the rollup's catch-up looks for month
    # starts to snapshot (two); the report, the units and the fields or procedures each read
    # buckets, whether the period's snapshot is made, and the snapshot or the facts around;
    # the months: which month starts are made, their buckets, their snapshots, and one
    # aggregate over the facts for the part months and the month under way; whether the
    # outbox ever recorded a dossier (1.4), looked at once by the catch-up.
    assert max(after) <= 41, after


def test_a_refused_period_stays_in_its_fields_for_the_officer_to_correct(staff: Staff) -> None:
    """QA: after a slip both dates went back to the default period and had to be typed again."""
    page = city_supervisor().get("/giam-sat/?from=31/02/2026&to=30/04/2026").content.decode()
    assert 'value="31/02/2026"' in page
    assert 'value="30/04/2026"' in page
    assert 'role="alert"' in page

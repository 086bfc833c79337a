"""Reading one dossier (issue 12, "lean hot paths"): the API read makes exactly two queries and
one insert (the token with its roles, the dossier with its history, forms and consultations; the
access log), the officer's page a fixed handful; a worklist page's rows compiled once give what
the queryset gives; and the Python form of the least-privilege rule used
on the loaded dossier agrees with the SQL form the lists use, for every role and every way a
unit takes part in a dossier."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import ApiToken, User
from motcua.common.clock import now
from motcua.dossiers.models import Consultation, Dossier, DossierAccess
from motcua.dossiers.reading import dossier_read, visible_to
from motcua.dossiers.selectors import visible_dossiers
from motcua.dossiers.worklist_pages import rows_built, rows_of
from motcua.organizations.models import Unit
from tests import factories
from tests.test_access_matrix import sibling_of

from .conftest import HOUR, POLICE, Staff, at, at_signing, decided, received

pytestmark = pytest.mark.django_db


def statements(call: Any) -> list[str]:
    with CaptureQueriesContext(connection) as done:
        call()
    return [query["sql"] for query in done.captured_queries]


@pytest.mark.parametrize("state", ["decided", "processing"])
def test_the_api_read_is_two_queries_and_the_access_log_insert(staff: Staff, state: str) -> None:
    dossier = decided(staff) if state == "decided" else at_signing(staff)
    Consultation.objects.create(
        dossier=dossier, unit=Unit.objects.get(code="hn-so-tu-phap"), question="Ý kiến?",
        asked_at=at("2026-03-02 10:00"), due_at=at("2026-03-05 17:00"),
    )  # fmt: skip
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(staff.leader, 'read')}")
    url = f"/api/v1/dossiers/{dossier.code}"
    assert client.get(f"{url}/documents").status_code == 200  # PDFs rendered once
    assert client.get(url).status_code == 200  # token's last use noted
    done = statements(lambda: client.get(url))
    assert len(done) == 3, "\n".join(done)
    assert [sql.split()[0] for sql in done] == ["SELECT", "SELECT", "INSERT"]
    assert "accounts_apitoken" in done[0]
    assert "accounts_officerrole" in done[0]  # the roles inside the token's statement
    assert "dossiers_dossier" in done[1]
    assert "dossiers_dossieraccess" in done[2]
    body = client.get(url).json()
    assert [e["seq"] for e in body["events"]] == list(range(1, len(body["events"]) + 1))
    assert body["events"][-1]["action"] == ("approve" if state == "decided" else "forward")
    assert [d["kind"] for d in body["documents"]][:1] == ["receipt"]
    assert all(d["sha256"] for d in body["documents"])
    assert DossierAccess.objects.filter(dossier=dossier, via="api").count() == 4  # list + 3 reads


def test_the_officer_page_makes_a_fixed_number_of_queries(staff: Staff) -> None:
    dossier = decided(staff)
    client = Client()
    client.force_login(staff.leader)
    url = f"/can-bo/ho-so/{dossier.ref}/"
    assert client.get(url).status_code == 200
    done = statements(lambda: client.get(url))
    # session, user (with its citizen profile, if any), roles, the dossier (with its history,
    # forms, consultations, step hand-overs and files), the access log, the catalog's token
    # (the procedure's documents are ready): 6; then the panels of the apps above the kernel,
    # one query each at most: the data store's reused components (1; an online dossier adds its
    # differences from the population registry, which a counter dossier never has), the payment
    # panel's exemptions and payments (2; the catalog's fees are kept in the process with the
    # catalog's token); the applicant's rating is read only for a returned dossier or a decided
    # bundle member (this one is neither). Folding them into the read is open.
    assert len(done) == 6 + 3, "\n".join(done)
    assert not [sql for sql in done if "ratings_rating" in sql]
    page = client.get(url).content.decode()
    assert "Giao, nhận giữa các bước" in page
    assert dossier.receiving_unit.name in page


def test_the_read_gives_what_prefetching_gave(staff: Staff) -> None:
    dossier = decided(staff)
    read = dossier_read(staff.leader, dossier.ref, page=True)
    assert read is not None
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.step_visits.exists()
    for accessor in ("events", "issued_documents", "consultations", "step_visits", "documents"):
        inline = list(getattr(read, accessor).all())
        stored = list(getattr(fresh, accessor).order_by("pk"))
        assert sorted(o.pk for o in inline) == [o.pk for o in stored]
        for one, other in zip(sorted(inline, key=lambda o: o.pk), stored, strict=True):
            for field in type(one)._meta.concrete_fields:
                assert getattr(one, field.attname) == getattr(other, field.attname), field.name
    assert [e.seq for e in read.events.all()] == sorted(e.seq for e in read.events.all())
    assert read.events.all()[0].dossier is read
    with CaptureQueriesContext(connection) as done:
        list(read.events.all()), list(read.consultations.all()), read.procedure.code
    assert not done.captured_queries


def test_a_consulted_unit_reads_the_dossier_and_its_unit_comes_along(staff: Staff) -> None:
    dossier = received(staff)
    justice = Unit.objects.get(code="hn-so-tu-phap")
    asked = factories.officer(justice.code, Role.SPECIALIST)
    assert dossier_read(asked, dossier.ref) is None
    Consultation.objects.create(
        dossier=dossier, unit=justice, question="?", asked_at=now(), due_at=now() + HOUR
    )
    read = dossier_read(asked, dossier.code or "")
    assert read is not None
    consultation = read.consultations.all()[0]
    with CaptureQueriesContext(connection) as done:
        assert consultation.unit.name == justice.name
    assert not done.captured_queries


# ----------------------------------------------------------------------------- the rule
def situations(home: Unit, other: Unit, specialist: User, colleague: User) -> Any:
    units = (home, other)
    for receiving, deciding, pending, previous, assignee, consulted in itertools.product(
        units, units, (None, home, other), (None, home), (None, specialist, colleague),
        (None, home, other),
    ):  # fmt: skip
        yield {
            "receiving_unit": receiving, "deciding_unit": deciding, "pending_unit": pending,
            "previous_unit": previous, "assignee": assignee,
        }, consulted  # fmt: skip


def test_visible_to_agrees_with_the_visibility_rule_of_lists(staff: Staff) -> None:
    home = Unit.objects.get(code=POLICE)
    other = sibling_of(home)
    assert home.parent is not None
    officers = [
        staff.reception, staff.specialist, staff.head, staff.leader,
        factories.officer(POLICE, Role.ADMINISTRATOR),
        factories.officer(home.parent.code, Role.SUPERVISOR),
        factories.officer(other.code, Role.SPECIALIST),
        factories.officer(other.code, Role.RECEPTION),
        factories.officer(other.code, Role.LEADER),
    ]  # fmt: skip
    colleague = factories.officer(POLICE, Role.SPECIALIST)
    dossier = received(staff)
    checked = 0
    for fields, consulted in situations(home, other, staff.specialist, colleague):
        Dossier.objects.filter(pk=dossier.pk).update(**fields)
        Consultation.objects.filter(dossier=dossier).delete()
        if consulted is not None:
            Consultation.objects.create(
                dossier=dossier, unit=consulted, question="?", asked_at=now(), due_at=now()
            )
        for officer in officers:
            in_list = visible_dossiers(officer).filter(pk=dossier.pk).exists()
            read = dossier_read(officer, dossier.ref)
            assert (read is not None) == in_list, (officer.username, fields, consulted)
            if read is not None:
                assert visible_to(officer, read)
            checked += 1
    assert checked == 216 * len(officers)


def test_a_worklist_pages_rows_are_those_of_the_queryset_in_the_pages_order(staff: Staff) -> None:
    made = [received(staff, f"2026-03-0{day} 09:00") for day in (2, 3, 4)] + [decided(staff)]
    ids = [d.pk for d in made]
    for chosen in (ids[::-1], ids[1:2], [ids[2], ids[0], 10**9, ids[3]], []):
        prepared = rows_of(chosen)
        plain = {d.pk: d for d in rows_built(chosen)}
        assert [d.pk for d in prepared] == [pk for pk in chosen if pk in plain]
        for dossier in prepared:
            other = plain[dossier.pk]
            assert model_to_dict(dossier) == model_to_dict(other)
            assert dossier.get_deferred_fields() == other.get_deferred_fields()
            for related in ("procedure", "receiving_unit", "deciding_unit", "assignee"):
                assert getattr(dossier, related) == getattr(other, related)
            assert dossier.procedure.get_deferred_fields() == other.procedure.get_deferred_fields()

"""The worklist at scale: 100,000 dossiers in one unit. Pages, the API and a dossier's page keep a
fixed number of queries whatever the volume; counts, paging, sorting and filters stay right
(checked against the same rules computed in plain Python over what was generated)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.accounts.models import ApiToken, OfficerRole, RoleChange, User
from motcua.catalog.models import Procedure
from motcua.common.clock import clock_set_to
from motcua.dossiers import selectors, worklist_pages
from motcua.dossiers.constants import FINAL, Channel, Decision, Status
from motcua.dossiers.count_cache import unit_marks_fold
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    ALL_COUNT_CAP,
    TABS,
    PageCursor,
    WorklistScope,
    dossier_worklist,
    page_token,
    tab_count_query,
    tab_rules,
    worklist_scope,
)
from motcua.dossiers.services import Applicant, dossier_receive, dossier_submit
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET
from tests import factories
from tests.postgres_plans import vacuum_analyze

from .conftest import Staff, received
from .volume import (
    NAMES,
    Fact,
    bulk_dossiers,
    generated_delete,
    generated_facts,
    process_of,
    scaled,
)

pytestmark = pytest.mark.django_db


def is_open(fact: Fact) -> bool:
    return fact.status not in FINAL and fact.finished_at is None


def local_end_of_day(at: datetime.datetime) -> datetime.datetime:
    return at.astimezone(VIETNAM_OFFSET).replace(hour=23, minute=59, second=59)


# --- The tests: 100,000 dossiers (PostgreSQL; 12,000 on SQLite) in the unit of the reception,
# specialist and leader below. ---

UNIT = "hn-cong-an-phuong-hoan-kiem"
VOLUME = scaled(postgres=100_000, sqlite=12_000)  # above ALL_COUNT_CAP on both
# The clock of the whole module (roles are granted and pages asked "now").
AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=VIETNAM_OFFSET)
# Queries measured for one request, with a little room. Worklist page: 8 (session, user, roles,
# consulted ids, counts of the working tabs over open dossiers, the count of "all" up to
# ALL_COUNT_CAP, the page's ids, the page's rows). API list of 200 items: 9 (token, roles,
# consulted ids, two counts, ids, rows, the items' consultations, process steps).
# Dossier page: 25.
WORKLIST_BUDGET = 10
API_BUDGET = 11
DETAIL_BUDGET = 28


@dataclass
class Bulk:
    unit: Unit
    reception: User
    specialist: User
    leader: User
    facts: list[Fact]
    roles: dict[tuple[int, int], str]  # (procedure, step order) → role of that step

    def fact(self, ref: str) -> Fact:
        return self.facts[int(ref[len(PREFIX) :])]


PREFIX = "WS"


@pytest.fixture(scope="module")
def bulk(django_db_setup: None, django_db_blocker: Any) -> Iterator[Bulk]:
    """Generated once for the module, outside the tests' transactions; removed at the end."""
    officers: list[User] = []
    try:
        with django_db_blocker.unblock(), clock_set_to(AT):
            officers += [factories.officer(UNIT, r) for r in ("reception", "specialist", "leader")]
            yield generate(officers)
    finally:
        with django_db_blocker.unblock():
            generated_delete(PREFIX)
            OfficerRole.objects.filter(user__in=officers).delete()
            RoleChange.objects.filter(officer__in=officers).delete()
            User.objects.filter(pk__in=[o.pk for o in officers]).delete()


def generate(officers: list[User]) -> Bulk:
    """The main procedure (commune template) and, for 5 %, one with a division head step."""
    unit = Unit.objects.get(code=UNIT)
    main = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    other = (
        Procedure.objects.filter(in_hanoi_set=True, processes__steps__role="division_head")
        .exclude(code="1.004222")
        .order_by("pk")
        .first()
    )
    assert main is not None
    assert other is not None
    facts = list(
        generated_facts(VOLUME, at=AT, procedures=[main.pk, other.pk], assignee=officers[1],
                        seed=7, prefix=PREFIX)
    )  # fmt: skip
    bulk_dossiers(unit, facts)
    # As the scheduler does every round: SQLite's row triggers marked each generated dossier,
    # and a unit with that many marks has its counts made every time (``MARKS_READ_MAX``).
    unit_marks_fold()
    if connection.vendor == "postgresql":  # as autovacuum would: statistics, visibility map
        vacuum_analyze("dossiers_dossier")
    roles = {
        (procedure.pk, step.order): step.role
        for procedure in (main, other)
        for step in process_of(procedure).steps.all()
    }
    return Bulk(unit, *officers, facts=facts, roles=roles)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with clock_set_to(AT):
        yield


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')}"}


# The tab rules of docs/UX for one unit that receives and decides everything generated (no
# transfers, no consultations), written again in plain Python.
IN_HAND = {Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED,
           Status.AWAITING_PAYMENT}  # fmt: skip


def expected_tabs(bulk: Bulk, fact: Fact, user: User) -> set[str]:
    role = {bulk.reception: "reception", bulk.specialist: "specialist", bulk.leader: "leader"}[user]
    end = local_end_of_day(AT)
    tabs = {"all"}
    if fact.status == Status.NEW and role == "reception":
        tabs.add("to_receive")
    step_role = bulk.roles.get((fact.procedure_id, fact.current_step or 0))
    # An assignment holds at the specialists' steps (and outside any step) only.
    binding = step_role in (None, "", "specialist")
    mine = (fact.assignee_id == user.pk and binding) or (
        step_role == role and (fact.assignee_id is None or not binding)
    )
    approved_waiting = fact.status == Status.PROCESSING and fact.decision == Decision.APPROVED
    if approved_waiting and role == "specialist" and fact.assignee_id in (None, user.pk):
        mine = True
    if (mine and fact.status in IN_HAND) or (
        fact.status == Status.PROCESSED and role == "reception"
    ):
        tabs.add("mine")
    running = fact.status not in {Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT}
    if is_open(fact) and running and fact.due_at is not None:
        if AT <= fact.due_at <= end:
            tabs.add("due_today")
        if end < fact.due_at <= end + datetime.timedelta(days=2):
            tabs.add("due_soon")
        if fact.due_at < AT:
            tabs.add("overdue")
    if fact.status in {Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT}:
        tabs.add("waiting")
    return tabs


def expected_counts(bulk: Bulk, user: User, facts: list[Fact] | None = None) -> dict[str, int]:
    """Every tab's count; "all" up to ``ALL_COUNT_CAP`` (the page says "10000+")."""
    counts = dict.fromkeys(dict(TABS), 0)
    for fact in bulk.facts if facts is None else facts:
        for tab in expected_tabs(bulk, fact, user):
            counts[tab] += 1
    counts["all"] = min(counts["all"], ALL_COUNT_CAP)
    return counts


def due_order(bulk: Bulk, facts: list[Fact]) -> list[str]:
    """Open first; by due date, the most overdue first, none last; then newest submission."""

    def key(fact: Fact) -> tuple[Any, ...]:
        due = fact.due_at.timestamp() if fact.due_at else float("inf")
        return (0 if is_open(fact) else 1, due, -fact.submitted_at.timestamp(), -int(fact.ref[2:]))

    return [fact.ref for fact in sorted(facts, key=key)]


def page_counts(html: str) -> dict[str, int]:
    return {
        key: int(n)
        for key, n in re.findall(r'id="tab-(\w+)"[^>]*>[^<]*<span class="count">(\d+)\+?<', html)
    }


def test_generated_volume(bulk: Bulk) -> None:
    assert (
        Dossier.objects.filter(receiving_unit=bulk.unit, ref__startswith=PREFIX).count() == VOLUME
    )
    assert sum(1 for f in bulk.facts if f.status == Status.NEW) > VOLUME // 100


@pytest.mark.parametrize("who", ["reception", "specialist", "leader"])
def test_every_officers_worklist_is_compiled_once_per_shape(bulk: Bulk, who: str) -> None:
    """The counts, "all" and the page's keys of every tab run as SQL learned once (none of
    the shapes was refused), and the counts a second time are still the right ones."""
    user = getattr(bulk, who)
    client = as_user(user)
    shaped = (selectors.COUNTS, selectors.READABLE, worklist_pages.PAGE_KEYS)
    for query in shaped:
        query.known(connections[query.using]).clear()
    for _round in range(2):
        for tab, _label in selectors.TABS:
            html = client.get(reverse("dossiers:worklist"), {"tab": tab}).content.decode()
            assert page_counts(html) == expected_counts(bulk, user)
    for query in shaped:
        known = query.known(connections[query.using])
        assert known
        assert None not in known.values()


@pytest.mark.parametrize("who", ["reception", "specialist", "leader"])
def test_worklist_page_counts_are_right_with_a_fixed_number_of_queries(
    bulk: Bulk, who: str, django_assert_max_num_queries: Any
) -> None:
    user = getattr(bulk, who)
    client = as_user(user)
    client.get(reverse("dossiers:worklist"))  # warm the session and the process step caches
    with django_assert_max_num_queries(WORKLIST_BUDGET):
        html = client.get(
            reverse("dossiers:worklist"), {"tab": "overdue", "page": 3}
        ).content.decode()
    expected = expected_counts(bulk, user)
    assert page_counts(html) == expected
    assert expected["overdue"] > 150  # a third page exists
    assert html.count('href="/can-bo/ho-so/WS') == 50
    total = f"{expected['overdue']:,}".replace(",", ".")
    assert f"Quá hạn: hồ sơ 101–150 trong {total}" in html
    assert 'rel="prev"' in html
    assert 'rel="next"' in html
    assert '<span class="count">10000+</span>' in html  # "all": at least the cap
    overdue = [f for f in bulk.facts if "overdue" in expected_tabs(bulk, f, user)]
    refs = re.findall(r'href="/can-bo/ho-so/(WS\d+)/"', html)
    assert refs == due_order(bulk, overdue)[100:150]


def test_the_same_number_of_queries_for_a_hundred_thousand_dossiers_as_for_one(
    bulk: Bulk,
) -> None:
    small = Unit.objects.get(code="hn-cong-an-phuong-ba-dinh")
    reception = factories.officer(small.code, "reception")
    dossier = dossier_submit(
        procedure=Procedure.objects.get(pk=bulk.facts[0].procedure_id), receiving_unit=small,
        applicant=Applicant("Lê Văn Cường", "001090012345"), channel="counter", at=AT,
        actor=reception,
    )  # fmt: skip
    dossier_receive(dossier=dossier, actor=reception, at=AT)
    dossier_submit(
        procedure=dossier.procedure,
        receiving_unit=small,
        channel="online",
        at=AT,
        applicant=Applicant("Trần Thị Bình", "001090012346"),
    )  # fmt: skip (one waiting to be received)

    def queries(user: User, tab: str) -> int:
        # A page of one, so that both pages hold an open dossier ("all" lists the open ones
        # first, and reads the finished ones only for a page that reaches them).
        params = {"tab": tab, "page": 1, "page_size": 1}
        headers = bearer(user)
        Client().get("/api/v1/dossiers", params, **headers)
        with CaptureQueriesContext(connection) as done:
            listing = Client().get("/api/v1/dossiers", params, **headers).json()
        assert len(listing["items"]) == 1
        return len(done.captured_queries)

    for tab in ("all", "to_receive"):
        assert queries(bulk.reception, tab) == queries(reception, tab)


def test_api_list_pages_counts_and_budget(bulk: Bulk, django_assert_max_num_queries: Any) -> None:
    headers = bearer(bulk.specialist)
    client = Client()
    params = {"tab": "mine", "page": 2, "page_size": 200}
    client.get("/api/v1/dossiers", params, **headers)  # warm the calendars of the items' days
    with django_assert_max_num_queries(API_BUDGET):
        listing = client.get("/api/v1/dossiers", params, **headers).json()
    expected = expected_counts(bulk, bulk.specialist)
    assert listing["counts"] == expected
    assert (listing["tab"], listing["page"], listing["page_size"]) == ("mine", 2, 200)
    assert listing["counts_capped"] == ["all"]
    assert listing["total"] == expected["mine"]
    assert listing["pages"] == -(-expected["mine"] // 200)
    assert "page_token=" in listing["previous"]
    assert "page_token=" in listing["next"]
    assert "page=" not in listing["next"].replace("page_size=", "")
    mine = [f for f in bulk.facts if "mine" in expected_tabs(bulk, f, bulk.specialist)]
    assert [item["ref"] for item in listing["items"]] == due_order(bulk, mine)[200:400]


def page_statements(user: User, tab: str) -> tuple[dict[str, Any], list[str]]:
    """The tab's first page through the API, and the page-key statements it sent to any
    database (a read may go to a replica)."""
    headers = bearer(user)
    contexts = [CaptureQueriesContext(connections[alias]) for alias in connections]
    for context in contexts:
        context.__enter__()
    try:
        listing = Client().get("/api/v1/dossiers", {"tab": tab}, **headers).json()
    finally:
        for context in contexts:
            context.__exit__(None, None, None)
    sent = [q["sql"] for context in contexts for q in context.captured_queries]
    return listing, [sql for sql in sent if 'AS "seg"' in sql]


def test_an_empty_working_tab_reads_no_page(bulk: Bulk) -> None:
    """A working tab counted empty (exactly, with the same search and filters) sends no page
    query: it would walk the unit's open dossiers to the end of the index to find none."""
    checked = set()
    for user in (bulk.reception, bulk.specialist, bulk.leader):
        expected = expected_counts(bulk, user)
        for tab in ("to_receive", "mine", "due_today", "waiting"):
            listing, pages = page_statements(user, tab)
            assert listing["counts"][tab] == expected[tab]
            assert len(pages) == (1 if expected[tab] else 0), (user.username, tab)
            assert bool(listing["items"]) == bool(expected[tab])
            checked.add(bool(expected[tab]))
    assert checked == {True, False}  # both kinds of tab were seen


def due_segment(fact: Fact) -> int:
    """The segment of the due order an open dossier is in (``worklist_pages.SEGMENTS``)."""
    return (0 if fact.finished_at is None else 2) + (0 if fact.due_at is not None else 1)


def test_a_tabs_page_walks_only_the_segments_its_count_found_rows_in(
    bulk: Bulk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chosen tab is counted per segment of the order; its page leaves out the segments
    counted empty (walking one reads the unit's open dossiers to its end to find none), and is
    the same page. Each officer's tabs here have rows in some segments and none in others."""
    walked: list[tuple[int, ...]] = []
    shaped = worklist_pages.PAGE_KEYS

    class Recording:
        def values(self, extra: Any, conditions: list[Any]) -> list[dict[str, Any]]:
            walked.append(extra[3])  # the segments' numbers (``page_keys``)
            return shaped.values(extra, conditions)

    monkeypatch.setattr(worklist_pages, "PAGE_KEYS", Recording())
    skipped = 0
    for user in (bulk.reception, bulk.specialist, bulk.leader):
        for tab in ("to_receive", "mine", "overdue", "waiting", "due_soon"):
            facts = [f for f in bulk.facts if tab in expected_tabs(bulk, f, user)]
            walked.clear()
            listing = Client().get("/api/v1/dossiers", {"tab": tab}, **bearer(user)).json()
            assert [item["ref"] for item in listing["items"]] == due_order(bulk, facts)[:50]
            assert listing["total"] == len(facts)
            holding = tuple(sorted({due_segment(f) for f in facts}))
            assert walked == ([holding] if facts else []), (user.username, tab)
            skipped += 4 - len(holding) if facts else 0
    assert skipped  # segments were left out


def test_api_pages_cover_a_tab_exactly_once(bulk: Bulk) -> None:
    headers = bearer(bulk.reception)
    expected = [f for f in bulk.facts if "due_today" in expected_tabs(bulk, f, bulk.reception)]
    size = 200 if len(expected) > 400 else 20  # several pages at either volume
    seen: list[str] = []
    link = f"/api/v1/dossiers?tab=due_today&page_size={size}"
    links = []
    while link:
        listing = Client().get(link, **headers).json()
        seen += [item["ref"] for item in listing["items"]]
        links.append(link)
        link = listing["next"]
    assert seen == due_order(bulk, expected)
    assert len(expected) > size  # more than one page
    # Back from the last page by the previous links: the same pages in reverse.
    back: list[list[str]] = []
    link = listing["previous"]
    while link:
        listing = Client().get(link, **headers).json()
        back.append([item["ref"] for item in listing["items"]])
        link = listing["previous"]
    pages = [seen[i : i + size] for i in range(0, len(seen), size)]
    assert back == pages[:-1][::-1]


def filtered(bulk: Bulk, *, by_role: bool) -> list[Fact]:
    """Online, being processed, at the specialist's step (by role, or as step 2), due from 15 to
    30/11/2026 (days in Hà Nội), filed by Lê Văn Cường."""
    first, last = datetime.date(2026, 11, 15), datetime.date(2026, 11, 30)

    def at_step(fact: Fact) -> bool:
        if by_role:
            return bulk.roles.get((fact.procedure_id, fact.current_step or 0)) == "specialist"
        return fact.current_step == 2

    return [
        f for f in bulk.facts
        if f.channel == Channel.ONLINE and f.status == Status.PROCESSING and at_step(f)
        and f.due_at is not None and first <= f.due_at.astimezone(VIETNAM_OFFSET).date() <= last
        and NAMES[int(f.ref[-7:]) % len(NAMES)] == "Lê Văn Cường"
    ]  # fmt: skip


def test_filters_and_search_narrow_the_counts_of_every_tab(bulk: Bulk) -> None:
    params = {"tab": "all", "q": "le van cuong", "channel": "online", "status": "processing",
              "step": "specialist", "due_from": "2026-11-15", "due_to": "2026-11-30"}  # fmt: skip
    listing = Client().get("/api/v1/dossiers", params, **bearer(bulk.specialist)).json()
    by_role = filtered(bulk, by_role=True)
    assert listing["counts"] == expected_counts(bulk, bulk.specialist, by_role)
    assert listing["total"] == len(by_role) > 10
    by_order = {**params, "step": "2", "due_from": "15/11/2026", "due_to": "30/11/2026"}
    page = as_user(bulk.specialist).get(reverse("dossiers:worklist"), by_order).content.decode()
    assert page_counts(page) == expected_counts(
        bulk, bulk.specialist, filtered(bulk, by_role=False)
    )


def test_procedure_filter_and_other_sorts(bulk: Bulk) -> None:
    other = next(f.procedure_id for f in bulk.facts if f.procedure_id != bulk.facts[0].procedure_id)
    code = Procedure.objects.get(pk=other).code
    facts = [f for f in bulk.facts if f.procedure_id == other]
    headers = bearer(bulk.leader)
    by_code = (
        Client().get("/api/v1/dossiers", {"procedure": code, "sort": "code"}, **headers).json()
    )
    assert by_code["counts"]["all"] == len(facts)
    with_code = sorted((f for f in facts if f.code), key=lambda f: f.code or "")
    assert [i["ref"] for i in by_code["items"]] == [f.ref for f in with_code[:50]]
    newest = (
        Client().get("/api/v1/dossiers", {"sort": "submitted", "page_size": 20}, **headers).json()
    )
    by_submission = sorted(bulk.facts, key=lambda f: f.submitted_at, reverse=True)
    assert [i["ref"] for i in newest["items"]] == [f.ref for f in by_submission[:20]]


def test_api_refuses_unknown_values(bulk: Bulk) -> None:
    headers = bearer(bulk.leader)
    for params in (
        {"sort": "name"},
        {"status": "lost"},
        {"step": "clerk"},
        {"page_size": 201},
        {"channel": "fax"},
    ):
        answer = Client().get("/api/v1/dossiers", params, **headers)
        assert answer.status_code == 422, params
    # Page numbers reach as far as the count (10,000 for "all"), tokens anywhere.
    assert Client().get("/api/v1/dossiers", {"page": 10_000}, **headers).json()["page"] == 200
    made = page_token(PageCursor("due", 0, (AT, AT, 5)), "all")
    for token in ("x", "a" * 401, made[:-1] + ("A" if made[-1] != "A" else "B"), made + "x"):
        answer = Client().get("/api/v1/dossiers", {"page_token": token}, **headers)
        assert answer.status_code == 422, token
    other = Client().get("/api/v1/dossiers", {"sort": "code"}, **headers).json()["next"]
    answer = Client().get(other.replace("sort=code", "sort=due"), **headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "page_token_invalid"
    assert answer.json()["message"].startswith("Mã trang không hợp lệ")
    # Nor on another tab: a row's place in "all" says nothing of its place in "mine".
    deeper = Client().get("/api/v1/dossiers", {"tab": "all"}, **headers).json()["next"]
    answer = Client().get(deeper.replace("tab=all", "tab=mine"), **headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "page_token_invalid"


def test_htmx_swaps_only_the_list_and_keeps_the_page_working_without_it(bulk: Bulk) -> None:
    client = as_user(bulk.reception)
    full = client.get(reverse("dossiers:worklist"), {"tab": "overdue"}).content.decode()
    assert "<html" in full
    assert 'id="worklist-form"' in full
    assert 'aria-live="polite"' in full
    assert 'aria-current="page" class="current">Quá hạn' in full
    assert re.search(r'href="\?tab=overdue&amp;page_token=[^"]+" hx-get', full)  # without JS
    part = client.get(
        reverse("dossiers:worklist"), {"tab": "due_soon", "page": "2"}, HTTP_HX_REQUEST="true"
    )
    html = part.content.decode()
    assert "<html" not in html
    assert 'id="worklist-form"' not in html
    assert 'id="worklist-tab" value="due_soon" hx-swap-oob="true"' in html
    assert 'id="worklist-status" hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in part["Vary"]
    restore = client.get(
        reverse("dossiers:worklist"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_a_wrong_date_is_explained_and_ignored(bulk: Bulk) -> None:
    html = (
        as_user(bulk.leader)
        .get(reverse("dossiers:worklist"), {"tab": "all", "due_from": "31/02/2026"})
        .content.decode()
    )
    assert 'aria-invalid="true"' in html
    assert "dd/mm/yyyy" in html
    assert page_counts(html)["all"] == ALL_COUNT_CAP
    assert "Tất cả: hồ sơ 1–50 trong hơn 10.000" in html


def test_a_wrong_page_token_is_explained_and_the_first_page_shown(bulk: Bulk) -> None:
    answer = as_user(bulk.leader).get(
        reverse("dossiers:worklist"), {"tab": "all", "page_token": "made.up:token"}
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'role="alert">Mã trang không hợp lệ' in html
    assert "Tất cả: hồ sơ 1–50" in html


def test_officer_pages_follow_tokens_forwards_and_back(bulk: Bulk) -> None:
    """The "all" tab of the leader by due date: next links from the first page, then previous
    links, give the rows the plain rule orders, and say where they are."""
    client = as_user(bulk.leader)
    order = due_order(bulk, bulk.facts)
    url = reverse("dossiers:worklist") + "?tab=all"
    seen: list[list[str]] = []
    for number in range(1, 5):
        html = client.get(url).content.decode()
        seen.append(re.findall(r'href="/can-bo/ho-so/(WS\d+)/"', html))
        assert f"hồ sơ {(number - 1) * 50 + 1}–{number * 50} trong hơn 10.000" in html
        assert f"Trang {number}<" in html
        if number < 4:
            url = reverse("dossiers:worklist") + next_link(html)
    assert [ref for page in seen for ref in page] == order[:200]
    for number in range(3, 0, -1):
        url = reverse("dossiers:worklist") + previous_link(html)
        html = client.get(url).content.decode()
        assert re.findall(r'href="/can-bo/ho-so/(WS\d+)/"', html) == seen[number - 1]
        assert f"hồ sơ {(number - 1) * 50 + 1}–{number * 50} trong" in html
    assert 'id="page-previous"' not in html


def next_link(html: str) -> str:
    found = re.search(r'id="page-next" href="([^"]+)"', html)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def previous_link(html: str) -> str:
    found = re.search(r'id="page-previous" href="([^"]+)"', html)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_dossier_page_keeps_its_budget_among_a_hundred_thousand(
    bulk: Bulk, staff: Staff, django_assert_max_num_queries: Any
) -> None:
    dossier = received(staff)
    client = as_user(staff.specialist)
    for ref in (dossier.ref, f"{PREFIX}0000001"):
        client.get(reverse("dossiers:detail", args=[ref]))
        with django_assert_max_num_queries(DETAIL_BUDGET):
            assert client.get(reverse("dossiers:detail", args=[ref])).status_code == 200


@pytest.mark.postgres
def test_postgres_big_units_tabs_are_counted_from_the_index_alone(bulk: Bulk) -> None:
    """The big unit, vacuumed and analysed as autovacuum keeps it: its tabs are counted from the
    index alone. (Checked before the next test, which adds rows and analyses them in its
    transaction: the table's size and visible pages that ANALYZE records stay after a rollback,
    and with them the plan for the big unit was at times a parallel bitmap heap scan.)"""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL")
    counted = {name: rule.count for name, rule in tab_rules(bulk.reception, AT).items()}
    query = tab_count_query(WorklistScope.of(bulk.reception, Q()), counted)
    assert query is not None
    # (Either open index: in this table the unit receives and decides every dossier; indexes
    # made after partitioning (decision 0022) carry the partition's generated name.)
    plan = query.explain()
    assert "Index Only Scan using" in plan, plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.postgres
def test_postgres_plan_of_a_units_worklist_uses_indexes(bulk: Bulk) -> None:
    """A unit with a few hundred dossiers among 100,000 others: its worklist reads them through
    the unit indexes (BitmapOr), never by scanning every dossier."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL")
    small = "hn-cong-an-phuong-ba-dinh"
    reception = factories.officer(small, "reception")
    unit = Unit.objects.get(code=small)
    facts = list(
        generated_facts(
            300, at=AT, procedures=[bulk.facts[0].procedure_id], assignee=None, seed=3, prefix="WP"
        )
    )
    bulk_dossiers(unit, facts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
    tabs = {name: rule.page for name, rule in tab_rules(reception, AT).items()}
    # The small unit's officers (the big unit is the whole table: a scan is right for it).
    officers = [
        reception,
        factories.officer(small, "leader"),
        factories.officer(small, "specialist"),
    ]
    for user in officers:
        scope = WorklistScope.of(user, Q())
        queries = [scope.in_progress().order_by(), *scope.parts()]
        queries += [
            scope.in_progress().filter(tabs[tab]).order_by("due_at", "-id").values("pk")[:50]
            for tab in ("mine", "overdue", "to_receive", "due_today")
        ]
        for query in queries:
            plan = query.explain()
            assert "Seq Scan on dossiers_dossier" not in plan, plan
        # The open dossiers of a small unit are read through an index of the unit.
        assert "Index" in scope.in_progress().order_by().explain()
        assert WorklistScope.of(user, Q()).count() == 300
    base = Dossier.objects.filter(worklist_scope(reception))
    counts = base.order_by().aggregate(n=Count("pk")).get("n")
    assert counts == 300


def cursor_after(bulk: Bulk, order: list[str], index: int) -> PageCursor:
    """The cursor of the page that starts after ``order[index]`` (by due date)."""
    fact = bulk.fact(order[index])
    row = Dossier.objects.values("id", "due_at", "submitted_at").get(ref=fact.ref)
    segment = (0 if is_open(fact) else 2) + (1 if fact.due_at is None else 0)
    values = (row["due_at"], row["submitted_at"], row["id"])
    return PageCursor(
        "due", segment, values[1:] if fact.due_at is None else values, False, index + 1
    )


def test_all_by_due_date_lists_open_dossiers_first_then_the_finished_ones(bulk: Bulk) -> None:
    """The page where the open dossiers end and the finished ones begin, and a page deep in
    the history (beyond what "all" counts), as the plain rule says."""
    order = due_order(bulk, bulk.facts)
    open_count = sum(1 for fact in bulk.facts if is_open(fact))
    for start in (open_count - 101, VOLUME * 4 // 5):
        token = page_token(cursor_after(bulk, order, start), "all")
        params = {"tab": "all", "page_token": token, "page_size": 200}
        listing = Client().get("/api/v1/dossiers", params, **bearer(bulk.leader)).json()
        assert [item["ref"] for item in listing["items"]] == order[start + 1 : start + 201]
        assert listing["page"] == (start + 1) // 200 + 1
        assert listing["pages"] is None
        before = Client().get(listing["previous"], **bearer(bulk.leader)).json()
        assert [item["ref"] for item in before["items"]] == order[start - 199 : start + 1]


def explained(sql: str, params: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    return json.loads(plan) if isinstance(plan, str) else plan


def nodes(plan: Any) -> Iterator[dict[str, Any]]:
    if isinstance(plan, dict):
        if "Node Type" in plan:
            yield plan
        for value in plan.values():
            yield from nodes(value)
    elif isinstance(plan, list):
        for value in plan:
            yield from nodes(value)


def plan_faults(plan: Any, most: int) -> list[str]:
    """Seq Scans of dossiers, sorts fed more than ``most`` rows, and scans that read more than
    ``most`` rows only to leave them (an index walked for a part it barely holds), in an
    analysed plan. A node the query never ran is no fault: when the unit's first part fills
    the count of "all", the others are not read (here the generated unit is the whole table,
    so PostgreSQL plans a scan for a part it expects to be most of it, and never starts it)."""
    faults = []
    for node in nodes(plan):
        if not node.get("Actual Loops", 1):
            continue
        relation = str(node.get("Relation Name", ""))
        if node["Node Type"] == "Seq Scan" and relation.startswith("dossiers_dossier"):
            faults.append(f"Seq Scan on {relation}")
        if node["Node Type"] == "Sort":
            fed = sum(c["Actual Rows"] * c.get("Actual Loops", 1) for c in node.get("Plans", []))
            if fed > most:
                faults.append(f"Sort of {fed} rows")
        removed = node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
        if removed > most:
            faults.append(f"{removed} rows read and left by {node.get('Index Name', relation)}")
    return faults


@pytest.mark.postgres
@pytest.mark.parametrize("who", ["reception", "specialist", "leader"])
def test_postgres_pages_walk_indexes_and_never_sort_the_history(bulk: Bulk, who: str) -> None:
    """Every query of a worklist request (counts, "all" up to its cap, the page's ids, its
    rows), for every tab and sort, first and deep pages: no Seq Scan on the dossiers, and no
    sort fed more than the open dossiers of the unit (a fifth of the 100,000 here)."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL")
    user = getattr(bulk, who)
    order = due_order(bulk, bulk.facts)
    deep = cursor_after(bulk, order, VOLUME * 7 // 10)
    most = sum(1 for fact in bulk.facts if fact.status not in FINAL)
    assert most < VOLUME / 4
    asked = [(tab, sort, None) for tab in dict(TABS) for sort in ("due", "submitted", "code")]
    asked += [("all", "due", deep), ("overdue", "due", deep)]
    for tab, sort, cursor in asked:
        with CaptureQueriesContext(connection) as done:
            dossier_worklist(
                user=user, tab=tab, query="", at=AT, sort=sort, cursor=cursor, limit=50
            )
        for query in done.captured_queries:
            if "dossiers_dossier" not in query["sql"] or not query["sql"].startswith("SELECT"):
                continue
            sql = query["sql"]
            plan = explained(sql, None)
            assert not plan_faults(plan, most), (tab, sort, sql[:300], plan_faults(plan, most))


@pytest.mark.postgres
def test_postgres_a_leader_is_not_walked_through_what_others_decide_elsewhere(bulk: Bulk) -> None:
    """Dossiers that a ward receives and a department decides fill the partial index of those
    decided elsewhere. The big unit's leader decides everything the unit receives: their part
    "decided here, received elsewhere" is empty, and no page or count may read the unit's
    100,000 dossiers to find that out. (At 1 M dossiers the leader's "all" page took 245 ms and
    "mine" 41 ms that way, PostgreSQL unable to estimate ``deciding_unit <> receiving_unit``.)"""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL")
    ward = Unit.objects.get(code="hn-phuong-ba-dinh")
    department = Unit.objects.get(code="hn-so-tu-phap")
    procedures = [bulk.facts[0].procedure_id]
    facts = generated_facts(
        16_000, at=AT, procedures=procedures, assignee=None, seed=5, prefix="WE"
    )
    bulk_dossiers(ward, list(facts), deciding=department)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
    most = sum(1 for fact in bulk.facts if fact.status not in FINAL)
    asked = [(tab, sort) for tab in ("all", "mine", "overdue") for sort in ("due", "submitted")]
    for tab, sort in asked:
        with CaptureQueriesContext(connection) as done:
            dossier_worklist(user=bulk.leader, tab=tab, query="", at=AT, sort=sort, limit=50)
        for query in done.captured_queries:
            if query["sql"].startswith(("SELECT", "(")):
                faults = plan_faults(explained(query["sql"], None), most)
                # The unit is most of this table: a scan may start its capped "all".
                faults = [fault for fault in faults if not fault.startswith("Seq Scan")]
                assert not faults, (tab, sort, query["sql"][:300], faults)

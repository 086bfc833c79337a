"""The access matrix (issue 11, acceptance): every endpoint that takes a dossier's ``ref`` —
officer pages, the citizen portal, the JSON API, downloads and PDFs, actions — tried by every kind
of person, against an expected table written by hand from the rules, not computed by the code
under test. Zero unexpected allows, and no unexpected refusals either.

The endpoints are discovered from the URL resolver: a new ref-taking URL that ``ENDPOINTS`` does
not classify fails ``test_every_ref_taking_url_is_in_the_matrix``, so it cannot be forgotten.

How an action POST is told apart ("refused" vs "reached the handler"): the bodies are harmless
and invalid, so nothing changes. Refused is 401/403/404, a redirect to the sign-in page, or (the
officer page, which redirects back with a message) the "Bạn không có quyền" refusal message.
Reached is anything else: 409/422 from the API (the action's inputs are checked only after who
may act), or the redirect back to the same dossier with an input error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from motcua.accounts.constants import ApiTokenScope
from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.accounts.services import officer_role_grant
from motcua.accounts.tokens import api_token_issue
from motcua.common.clock import now
from motcua.dossiers import services as s
from motcua.dossiers.legal_forms import forms_available
from motcua.dossiers.models import Dossier, DossierAccess
from motcua.organizations.models import Unit
from motcua.vault.models import Reuse, VaultDocument
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, received
from tests.files import tiny_pdf

PDF = tiny_pdf()

# Kinds of endpoint. "officer_read" pages, PDFs and files of the officer side; "officer_touch"
# a POST guarded only by reading the dossier (attaching: who may attach is checked in the
# service, after the empty body is refused); "officer_act" an action (assign: the deciding
# unit's division head and leader); "portal_read" / "portal_act" the applicant's own dossier;
# "api_read" / "api_act" the JSON API.
OFFICER_READ, OFFICER_TOUCH, OFFICER_ACT = "officer_read", "officer_touch", "officer_act"
PORTAL_READ, PORTAL_ACT = "portal_read", "portal_act"
# Exempting a dossier from its fees: its receiving one-stop and the deciding unit's processing
# officers who read it (decision 0028).
OFFICER_FEES = "officer_fees"
API_READ, API_ACT = "api_read", "api_act"

# Every URL name that takes a dossier ref → (kind, method). Logged: an officer's read that must
# leave a DossierAccess row.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "dossiers:detail": (OFFICER_READ, "GET"),
    "dossiers:form": (OFFICER_READ, "GET"),
    "dossiers:issued": (OFFICER_READ, "GET"),
    "dossiers:document": (OFFICER_READ, "GET"),
    "vault:officer-document": (OFFICER_READ, "GET"),
    "dossiers:attach": (OFFICER_TOUCH, "POST"),
    "dossiers:act": (OFFICER_ACT, "POST"),
    "supervision:timeline": (OFFICER_READ, "GET"),
    "portal:my-dossier": (PORTAL_READ, "GET"),
    "portal:document": (PORTAL_READ, "GET"),
    "portal:legal-form": (PORTAL_READ, "GET"),
    "ratings:rate": (PORTAL_READ, "GET"),
    "portal:withdraw": (PORTAL_ACT, "POST"),
    "portal:supplement": (PORTAL_ACT, "POST"),
    "api-v1:dossier_get": (API_READ, "GET"),
    "api-v1:dossier_documents": (API_READ, "GET"),
    "api-v1:dossier_document_pdf": (API_READ, "GET"),
    "api-v1:dossier_timeline_get": (API_READ, "GET"),
    "api-v1:dossier_act": (API_ACT, "POST"),
    "api-v1:dossier_payments": (API_READ, "GET"),
    "payments:pay": (PORTAL_ACT, "POST"),
    "payments:back": (PORTAL_READ, "GET"),
    # Starts a payment only right after the owner's own submission (a one-shot session mark).
    "payments:at-submission": (PORTAL_READ, "GET"),
    "payments:receipt": (PORTAL_READ, "GET"),
    "payments:officer-receipt": (OFFICER_READ, "GET"),
    "payments:exempt": (OFFICER_FEES, "POST"),
}
LOGGED = {
    "dossiers:detail", "dossiers:form", "dossiers:issued", "dossiers:document",
    "vault:officer-document",
    "api-v1:dossier_get", "api-v1:dossier_documents", "api-v1:dossier_document_pdf",
    "payments:officer-receipt", "api-v1:dossier_payments",
}  # fmt: skip

# The independent expected table: person → the kinds they are allowed, from the rules in words.
# The dossier is received at the ward police of Hoàn Kiếm (which also decides it) and assigned
# to ``specialist``. Anything not listed is refused.
SEES = {OFFICER_READ, OFFICER_TOUCH, API_READ}
EXPECTED: dict[str, set[str]] = {
    # Same unit.
    "reception": SEES | {OFFICER_FEES},  # its one-stop received it
    "specialist": SEES | {OFFICER_FEES},  # assigned to them
    "second_specialist": set(),  # assigned to someone else
    "head": SEES | {OFFICER_ACT, API_ACT, OFFICER_FEES},  # reads the unit's dossiers, assigns
    "leader": SEES | {OFFICER_ACT, API_ACT, OFFICER_FEES},
    "administrator": set(),  # manages staff, reads no dossier
    # The same roles at another ward's police: nothing.
    "sibling_reception": set(),
    "sibling_specialist": set(),
    "sibling_head": set(),
    "sibling_leader": set(),
    "sibling_administrator": set(),
    # Supervisors: read-only in their unit and below.
    "supervisor_parent": SEES,
    "supervisor_other_tree": set(),
    # Citizens.
    "applicant": {PORTAL_READ, PORTAL_ACT},  # proved the dossier is theirs
    "impostor": set(),  # holds the same ID number, proved nothing
    "stranger": set(),
    "anonymous": set(),
    # API tokens of a leader who holds roles at both wards' police.
    "token_act_unit": {API_READ, API_ACT},
    "token_read_unit": {API_READ},
    "token_act_other_unit": set(),
    "token_read_other_unit": set(),
}


def ref_taking_patterns() -> Iterator[tuple[str, str]]:
    """(namespaced name, route) of every URL pattern whose route has a ``ref`` parameter."""

    def walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and "ref" in pattern.pattern.regex.groupindex:
                yield namespace + (pattern.name or ""), prefix + str(pattern.pattern)

    yield from walk(get_resolver().url_patterns, "", "")


# URLs whose ``ref`` is not a dossier's: a linked bundle's (who sees which bundle, and which
# member dossiers in it, is tested in tests/bundles/test_api.py and, for the pages, in
# tests/bundles/test_pages.py::test_another_account_never_sees_the_bundle; the bundle's rating in
# tests/bundles/test_rating.py::test_a_member_dossier_is_rated_only_with_its_bundle).
NOT_A_DOSSIER_REF = {
    "api-v1:bundle_get", "bundles:mine", "bundles:receipt", "bundles:withdraw",
    "bundles:officer-detail", "bundles:officer-receipt", "ratings:rate-bundle",
}  # fmt: skip


def test_every_ref_taking_url_is_in_the_matrix() -> None:
    found = {n: r for n, r in ref_taking_patterns() if n not in NOT_A_DOSSIER_REF}
    unclassified = sorted(
        f"{name} ({route})" for name, route in found.items() if name not in ENDPOINTS
    )
    assert not unclassified, f"classify these in tests/test_access_matrix.py: {unclassified}"
    assert not set(ENDPOINTS) - set(found), "the matrix names URLs that no longer exist"
    assert set(ENDPOINTS) - LOGGED >= {"dossiers:attach", "dossiers:act"}


@dataclass
class Person:
    name: str
    user: User | None = None
    token: str = ""

    def client(self) -> Client:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {self.token}") if self.token else Client()
        if self.user is not None:
            client.force_login(self.user)
        return client


def sibling_of(police: Unit) -> Unit:
    """Another ward's police, under the same city police."""
    sibling = (
        Unit.objects.filter(parent=police.parent, code__startswith="hn-cong-an-phuong-")
        .exclude(pk=police.pk)
        .order_by("code")
        .first()
    )
    assert sibling is not None
    return sibling


def people(staff: Staff, dossier: Dossier) -> list[Person]:
    police = Unit.objects.get(code=POLICE)
    assert police.parent is not None
    sibling = sibling_of(police)
    other_tree = Unit.objects.get(code="hn-so-tu-phap")
    officers = {
        "reception": staff.reception,
        "specialist": staff.specialist,
        "second_specialist": factories.officer(POLICE, Role.SPECIALIST),
        "head": staff.head,
        "leader": staff.leader,
        "administrator": factories.officer(POLICE, Role.ADMINISTRATOR),
        "sibling_reception": factories.officer(sibling.code, Role.RECEPTION),
        "sibling_specialist": factories.officer(sibling.code, Role.SPECIALIST),
        "sibling_head": factories.officer(sibling.code, Role.DIVISION_HEAD),
        "sibling_leader": factories.officer(sibling.code, Role.LEADER),
        "sibling_administrator": factories.officer(sibling.code, Role.ADMINISTRATOR),
        "supervisor_parent": factories.officer(police.parent.code, Role.SUPERVISOR),
        "supervisor_other_tree": factories.officer(other_tree.code, Role.SUPERVISOR),
    }
    applicant = factories.citizen(id_number="001090054321", phone="0912000111")
    factories.proven(dossier, applicant)
    impostor = factories.citizen(id_number=dossier.applicant_id_number, phone="0912000222")
    stranger = factories.citizen(id_number="001090077777", phone="0912000333")
    found = [Person(name, user) for name, user in officers.items()]
    found += [Person("applicant", applicant), Person("impostor", impostor)]
    found += [Person("stranger", stranger), Person("anonymous")]
    owner = factories.officer(POLICE, Role.LEADER)
    officer_role_grant(actor=None, officer=owner, unit=sibling, role=Role.LEADER, at=now())
    for name, scope, unit in (
        ("token_act_unit", ApiTokenScope.ACT, police),
        ("token_read_unit", ApiTokenScope.READ, police),
        ("token_act_other_unit", ApiTokenScope.ACT, sibling),
        ("token_read_other_unit", ApiTokenScope.READ, sibling),
    ):
        _token, secret = api_token_issue(
            actor=None, owner=owner, name=name, scope=scope, units=[unit]
        )
        found.append(Person(name, token=secret))
    assert {p.name for p in found} == set(EXPECTED)
    return found


def the_dossier(staff: Staff) -> Dossier:
    """Received at the ward police (a receipt issued), one file attached, assigned, its fee asked
    and paid in cash at the counter (an e-receipt)."""
    dossier = received(staff)
    s.dossier_attach(
        dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:30"),
        upload=SimpleUploadedFile("so-do.pdf", PDF, content_type="application/pdf"),
        name="Giấy tờ chỗ ở", kind="input", requirement_id=None, digitised_at_counter=True,
        expected_version=None,
    )  # fmt: skip
    dossier = s.dossier_assign(
        dossier=Dossier.objects.get(pk=dossier.pk), actor=staff.head, at=at("2026-03-02 10:00"),
        assignee=staff.specialist,
    )  # fmt: skip
    dossier = s.dossier_request_payment(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-02 10:10"), amount_vnd=20_000
    )
    s.dossier_pay(dossier=dossier, actor=staff.reception, at=at("2026-03-02 10:20"),
                  amount_vnd=20_000)  # fmt: skip
    return Dossier.objects.get(pk=dossier.pk)


def stored_for(dossier: Dossier) -> int:
    """A document of the applicant's data store that the dossier took in place of an upload
    (the store's own rules are tested in tests/vault)."""
    document = dossier.documents.get()
    stored, _new = VaultDocument.objects.get_or_create(
        owner_kind="person", owner_id_number=dossier.applicant_id_number, sha256=document.sha256,
        defaults={
            "name": "Giấy khai sinh", "origin": "result", "file": document.file.name,
            "content_type": document.content_type, "size": document.size, "added_at": now(),
        },
    )  # fmt: skip
    Reuse.objects.get_or_create(
        dossier=dossier, requirement=None, document=stored,
        defaults={"component_name": "Giấy khai sinh", "consent": "counter", "at": now()},
    )  # fmt: skip
    return stored.pk


def urls_for(dossier: Dossier) -> dict[str, str]:
    document = dossier.documents.get()
    issued = dossier.issued_documents.order_by("pk").first()
    assert issued is not None, "receiving issues a receipt"
    office_form = forms_available(dossier)[0].slug
    portal_form = next(f.slug for f in forms_available(dossier) if f.slug != "kiem-soat")
    ref = dossier.ref
    paid = dossier.payments.get().number
    kwargs: dict[str, dict[str, Any]] = {
        "dossiers:detail": {},
        "dossiers:form": {"form": office_form},
        "dossiers:issued": {"pk": issued.pk},
        "dossiers:document": {"pk": document.pk},
        "vault:officer-document": {"pk": stored_for(dossier)},
        "dossiers:attach": {},
        "dossiers:act": {"action": "assign"},
        "supervision:timeline": {},
        "portal:my-dossier": {},
        "portal:document": {"pk": document.pk},
        "portal:legal-form": {"form": portal_form},
        "ratings:rate": {},
        "portal:withdraw": {},
        "portal:supplement": {},
        "api-v1:dossier_get": {},
        "api-v1:dossier_documents": {},
        "api-v1:dossier_document_pdf": {"document_id": issued.pk},
        "api-v1:dossier_timeline_get": {},
        "api-v1:dossier_act": {"action": "assign"},
        "api-v1:dossier_payments": {},
        "payments:pay": {},
        "payments:back": {"number": paid},
        "payments:at-submission": {},
        "payments:receipt": {"number": paid},
        "payments:officer-receipt": {"number": paid},
        "payments:exempt": {},
    }
    return {name: reverse(name, kwargs={"ref": ref, **extra}) for name, extra in kwargs.items()}


def outcome(response: HttpResponse, dossier: Dossier) -> str:
    """Either "allowed" or "refused" (see the module's docstring)."""
    status = response.status_code
    if status in (401, 403, 404):
        return "refused"
    if status in (301, 302, 303):
        target = response["Location"]
        if "dang-nhap" in target or "xac-thuc-hai-buoc" in target:
            return "refused"
        request = getattr(response, "wsgi_request", None)
        said = [str(m) for m in get_messages(request)] if request is not None else []
        if any("không có quyền" in text for text in said):
            return "refused"
        return "allowed" if dossier.ref in target or (dossier.code or "@") in target else "other"
    if status in (200, 409, 422):
        return "allowed"
    return f"unexpected status {status}"


def request(person: Person, name: str, url: str) -> HttpResponse:
    client = person.client()
    _kind, method = ENDPOINTS[name]
    if method == "GET":
        return client.get(url)
    if name.startswith("api-v1:"):
        # A valid version and no assignee: refused (403/404) or, once past who may act, 422.
        return client.post(url, {"version": 10_000}, content_type="application/json")
    return client.post(url, {})


def matrix(
    everyone: list[Person], urls: dict[str, str], dossier: Dossier, expected: dict[str, set[str]]
) -> None:
    """Every person × every endpoint against ``expected``; reads must be logged."""
    allows, refusals, unlogged = [], [], []
    for person in everyone:
        for name, url in urls.items():
            kind, method = ENDPOINTS[name]
            logged_before = DossierAccess.objects.filter(dossier=dossier).count()
            got = outcome(request(person, name, url), dossier)
            wanted = "allowed" if kind in expected[person.name] else "refused"
            if got != wanted:
                line = f"{person.name} {method} {name}: expected {wanted}, got {got}"
                (allows if wanted == "refused" else refusals).append(line)
            elif (
                got == "allowed"
                and name in LOGGED
                and DossierAccess.objects.filter(dossier=dossier).count() == logged_before
            ):
                unlogged.append(f"{person.name} {name}")
    assert not allows, "UNEXPECTED ALLOWS:\n" + "\n".join(allows)
    assert not refusals, "unexpected refusals:\n" + "\n".join(refusals)
    assert not unlogged, "officer reads that left no DossierAccess row:\n" + "\n".join(unlogged)


def test_the_access_matrix_has_no_unexpected_allow_or_refusal(
    db: None, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    staff = Staff()
    dossier = the_dossier(staff)
    everyone = people(staff, dossier)
    urls = urls_for(dossier)
    assert len(everyone) * len(urls) == len(EXPECTED) * len(ENDPOINTS) == 21 * 26
    matrix(everyone, urls, dossier, EXPECTED)


# Consulted: the deciding unit asks the other ward's police for an opinion. Its division head and
# leader read the dossier (their unit takes part), its specialists too (a consultation asked of
# their unit); its reception and administrator do not. Nobody there may assign it. A token limited
# to that unit reads through the consultation, and acts nowhere.
CONSULTED: dict[str, set[str]] = {
    **EXPECTED,
    "sibling_head": SEES,
    "sibling_leader": SEES,
    "sibling_specialist": SEES,
    "token_act_other_unit": {API_READ},
    "token_read_other_unit": {API_READ},
}
CONSULTED_PEOPLE = {
    "sibling_reception", "sibling_specialist", "sibling_head", "sibling_leader",
    "sibling_administrator", "supervisor_other_tree", "impostor", "token_act_other_unit",
    "token_read_other_unit",
}  # fmt: skip


def test_a_consulted_unit_reads_but_does_not_act(db: None, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    staff = Staff()
    dossier = the_dossier(staff)
    everyone = [p for p in people(staff, dossier) if p.name in CONSULTED_PEOPLE]
    police = Unit.objects.get(code=POLICE)
    sibling = sibling_of(police)
    s.dossier_consult(
        dossier=dossier, actor=staff.specialist, at=at("2026-03-02 11:00"), unit=sibling,
        question="Xác minh nơi ở trước đây của người nộp",
    )  # fmt: skip
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.consultations.filter(unit=sibling).exists()
    matrix(everyone, urls_for(dossier), dossier, CONSULTED)


# The supervision dashboard's URLs take a unit (``?unit=``), not a dossier ref: each is tried by
# each kind of person on the ward police, another ward's police, and no unit (their whole scope).
# "ok" 200; "404" a unit outside their scope; "403" no right to view reports; "login" a redirect.
UNIT_SCOPED = {
    "supervision:dashboard", "supervision:late", "supervision:report-xlsx",
    "supervision:report-pdf",
}  # fmt: skip
UNIT_SCOPED_EXPECTED: dict[str, tuple[str, str, str]] = {
    # person: (no unit, the ward police, another ward's police)
    "city_supervisor": ("ok", "ok", "ok"),
    "supervisor_parent": ("ok", "ok", "ok"),  # the city police: every ward police below it
    "ward_supervisor": ("ok", "ok", "404"),
    "leader": ("ok", "ok", "404"),  # a leader views the reports of their own unit
    "supervisor_other_tree": ("ok", "404", "404"),
    "specialist": ("403", "403", "403"),
    "citizen": ("403", "403", "403"),
    "anonymous": ("login", "login", "login"),
}


def unit_outcome(response: HttpResponse) -> str:
    if response.status_code == 302 and "/dang-nhap" in response["Location"]:
        return "login"
    return {200: "ok", 403: "403", 404: "404"}.get(response.status_code, str(response.status_code))


def test_every_supervision_page_is_classified() -> None:
    names: set[str] = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "supervision":
            names |= {f"supervision:{inner.name}" for inner in pattern.url_patterns}
    known = UNIT_SCOPED | {"supervision:timeline", "supervision:over-budget",
                           "supervision:at-risk", "supervision:reengineering"}  # fmt: skip
    assert names == known, "classify the new supervision URLs in tests/test_access_matrix.py"


def test_the_dashboard_follows_the_unit_scope(db: None) -> None:
    from motcua.accounts.demo import CITY_SUPERVISOR, ensure_city_supervisor

    staff = Staff()
    received(staff)
    police = Unit.objects.get(code=POLICE)
    assert police.parent is not None
    sibling = sibling_of(police)
    ensure_city_supervisor("mat-khau-thu")
    users = {
        "city_supervisor": User.objects.get(username=CITY_SUPERVISOR),
        "supervisor_parent": factories.officer(police.parent.code, Role.SUPERVISOR),
        "ward_supervisor": factories.officer(POLICE, Role.SUPERVISOR),
        "leader": staff.leader,
        "supervisor_other_tree": factories.officer("hn-so-tu-phap", Role.SUPERVISOR),
        "specialist": staff.specialist,
        "citizen": factories.citizen(id_number="001090054321", phone="0912000111"),
        "anonymous": None,
    }
    wrong = []
    for person, user in users.items():
        client = Person(person, user).client()
        for name in sorted(UNIT_SCOPED):
            for query, expected in zip(("", f"?unit={POLICE}", f"?unit={sibling.code}"),
                                       UNIT_SCOPED_EXPECTED[person], strict=True):  # fmt: skip
                got = unit_outcome(client.get(reverse(name) + query))
                if got != expected:
                    wrong.append(f"{person} {name}{query}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


# Sign-in pages that take no ``ref``: open to anyone (they lead to a sign-in, they show nothing of
# a dossier). With no identity provider configured they do not exist (404).
PUBLIC_SIGN_IN = {"signin:vneid", "signin:vneid-callback"}


def test_the_vneid_sign_in_pages_are_public_and_show_no_dossier(db: None, settings: Any) -> None:
    settings.MOTCUA_VNEID_ISSUER = ""
    for name in PUBLIC_SIGN_IN:
        assert Client().get(reverse(name)).status_code == 404
    settings.MOTCUA_VNEID_ISSUER = "http://127.0.0.1:9"  # configured but unreachable
    response = Client().get(reverse("signin:vneid"))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
    back = Client().get(reverse("signin:vneid-callback"), {"code": "x", "state": "y"})
    assert back.status_code == 302
    assert back["Location"].startswith("/dang-nhap/")

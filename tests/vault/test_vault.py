"""The personal data store: a birth certificate got through Một Cửa stands in for the copy a
second procedure (re-registration of a birth, 1.004884) asks for, with consent, logged."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, Requirement
from motcua.common import events
from motcua.common.clock import now
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.portal.models import Draft
from motcua.portal.submission import checklist_for, draft_problems, profile_answer, schema_of
from motcua.vault import evidence
from motcua.vault.models import DataUse, Origin, Reuse, VaultDocument
from motcua.vault.services import offers_for, results_keep, reuse_record, source_text
from motcua.vault.subscribers import on_result
from tests import factories
from tests.counter import counter_post
from tests.files import tiny_pdf
from tests.portal.test_online_submission import WARD, browser, citizen, media
from tests.portal.test_supplement_and_result import WardStaff, decided, ward

__all__ = ["browser", "citizen", "media", "ward"]

AGAIN = "1.004884"  # re-registration of a birth: asks for a copy of the birth certificate
CERTIFICATE = tiny_pdf("Giay khai sinh dien tu")


def certified(client: Client, ward: WardStaff) -> Dossier:
    """A birth registered online: decided, its electronic result attached and handed over."""
    dossier = decided(client, ward)
    s.dossier_attach(
        dossier=dossier, actor=ward.reception, at=now(), name="Giấy khai sinh",
        upload=SimpleUploadedFile("ks.pdf", CERTIFICATE), kind=DossierDocument.Kind.RESULT,
    )  # fmt: skip
    return s.dossier_return_result(dossier=dossier, actor=ward.reception, at=now())


def again() -> Procedure:
    return Procedure.objects.get(code=AGAIN, in_hanoi_set=True)


def copy_requirement() -> Requirement:
    return Requirement.objects.get(
        group__procedure=again(), component_code="000.00.00.G15-KQ003136"
    )


def second_draft(client: Client) -> Draft:
    response = client.post(reverse("portal:online-start", kwargs={"code": AGAIN}))
    assert response.status_code == 302
    draft = Draft.objects.get(procedure=again(), dossier__isnull=True)
    place = client.post(page(draft), {"unit": WARD, "save": "1"})
    assert place.status_code == 302
    draft.refresh_from_db()
    return draft


def page(draft: Draft) -> str:
    return reverse("portal:draft", kwargs={"key": draft.key})


def typed(draft: Draft) -> dict[str, str]:
    """What the one page shows filled in from the account (it posts them back with the rest)."""
    known = profile_answer(draft.owner, schema_of(draft.procedure))
    return {
        f"{block}.{name}": value
        for block, fields in known.items()
        if isinstance(fields, dict)
        for name, value in fields.items()
    }


def consented(given: bool) -> dict[str, str]:
    """The one page's consent box, as the page posts it with everything else."""
    return {"reuse_consent_shown": "1"} | ({"reuse_consent": "yes"} if given else {})


def consent(client: Client, draft: Draft, given: bool = True) -> None:
    data = {"unit": WARD, "save": "1"} | typed(draft) | consented(given)
    response = client.post(page(draft), data)
    assert response.status_code == 302


def send(client: Client, draft: Draft, given: bool = True) -> HttpResponse:
    data = {"unit": WARD, "send": "1"} | typed(draft) | consented(given)
    response: HttpResponse = client.post(page(draft), data)
    return response


def upload(client: Client, draft: Draft, name: str, content: bytes, given: bool) -> None:
    attached = SimpleUploadedFile(name, content, content_type="application/pdf")
    data = {"unit": WARD, "save": "1", f"file-{copy_requirement().pk}": attached}
    assert client.post(page(draft), data | typed(draft) | consented(given)).status_code == 302


def test_the_evidence_type_of_a_checklist_line() -> None:
    assert evidence.for_requirement("000.00.00.G15-KQ003136", "x") == "GIAY_KHAI_SINH"
    assert evidence.for_requirement("", "+ Bản sao Giấy khai sinh hợp lệ") == "GIAY_KHAI_SINH"
    assert evidence.for_requirement("", "- Tờ khai đăng ký khai sinh theo mẫu") == ""
    assert evidence.for_result("1.001193") == "GIAY_KHAI_SINH"
    assert evidence.for_result("1.004222") == ""


def test_the_result_lands_in_the_owners_store_exactly_once(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    dossier = certified(browser, ward)
    number = citizen.citizen_profile.id_number
    results = VaultDocument.objects.filter(owner_id_number=number, origin=Origin.RESULT)
    assert results.count() == 1
    stored = results.get()
    assert stored.evidence_type == "GIAY_KHAI_SINH"
    assert stored.source_dossier == dossier
    assert stored.issuer == dossier.deciding_unit.name
    assert stored.electronic_original  # a fully-online procedure's result (Decree 45/2020)
    # Filed under the parent who applied, it says whose certificate it is.
    child = dossier.eform_data["tre"]["ho_ten"]
    assert source_text(stored).startswith(f"của {child}; ")
    # The accepted input (the birth attestation) went in at reception, as a copy.
    inputs = VaultDocument.objects.filter(owner_id_number=number, origin=Origin.INPUT)
    assert inputs.count() == 1
    assert not inputs.get().electronic_original
    # Replaying the event, or keeping again, adds nothing.
    last = dossier.events.order_by("-seq").first()
    replay = events.Event("dossier.result_returned", {"dossier": dossier, "event": last})
    on_result([replay])
    on_result([replay, replay])  # twice in one batch, as a bulk import may publish it
    assert results_keep(dossier, now()) == 0
    assert results.count() == 1


def test_a_result_not_yet_handed_over_is_not_in_the_store(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    dossier = decided(browser, ward)
    s.dossier_attach(
        dossier=dossier, actor=ward.reception, at=now(), name="Giấy khai sinh",
        upload=SimpleUploadedFile("ks.pdf", CERTIFICATE), kind=DossierDocument.Kind.RESULT,
    )  # fmt: skip
    assert not VaultDocument.objects.filter(origin=Origin.RESULT).exists()


def test_consent_is_required_before_the_store_stands_in(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    certified(browser, ward)
    draft = second_draft(browser)
    item = next(i for i in checklist_for(draft).items if i.requirement == copy_requirement())
    assert item.stored is not None
    assert "Giấy khai sinh" in item.stored.source or item.stored.name == "Giấy khai sinh"
    page = browser.get(reverse("portal:draft", kwargs={"key": draft.key})).content.decode()
    assert "Đã có" in page
    assert "reuse_consent" in page
    # Without consent the copy is still asked for, and nothing is taken.
    assert any("Giấy khai sinh" in str(p) for p in draft_problems(draft))
    consent(browser, draft, given=False)
    draft.refresh_from_db()
    asked = [str(p) for p in draft_problems(draft) if "Giấy khai sinh" in str(p)]
    assert asked
    assert "Tôi đồng ý" in asked[0]  # the message names the box that would stand in
    consent(browser, draft)
    draft.refresh_from_db()
    assert not any("Giấy khai sinh" in str(p) for p in draft_problems(draft))
    response = send(browser, draft)
    assert response.status_code == 302
    dossier = Dossier.objects.get(procedure=again())
    reuse = Reuse.objects.get(dossier=dossier)
    assert reuse.requirement == copy_requirement()
    assert reuse.document is not None
    assert reuse.document.origin == Origin.RESULT
    assert reuse.consent == "online"
    assert reuse.consented_by == citizen
    assert not dossier.documents.filter(requirement=copy_requirement()).exists()


def test_without_consent_nothing_is_reused(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    certified(browser, ward)
    draft = second_draft(browser)
    upload(browser, draft, "ks.pdf", CERTIFICATE, given=False)
    send(browser, draft, given=False)
    dossier = Dossier.objects.get(procedure=again())
    assert not Reuse.objects.filter(dossier=dossier).exists()
    assert dossier.documents.filter(requirement=copy_requirement()).exists()


def test_a_document_of_another_person_is_never_offered(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    certified(browser, ward)
    other = factories.citizen("001090077777", "0911000777")
    stranger = Client()
    stranger.force_login(other)
    draft = second_draft(stranger)
    assert all(i.stored is None for i in checklist_for(draft).items)
    # Nor by asking for the first citizen's number from another account.
    number = citizen.citizen_profile.id_number
    assert offers_for("person", number, [copy_requirement()], other, now().date()) == {}
    # An offer forged for the stranger's dossier is refused when recorded.
    mine = offers_for("person", number, [copy_requirement()], citizen, now().date())
    consent(stranger, draft)
    upload(stranger, draft, "x.pdf", CERTIFICATE + b" ", given=True)
    send(stranger, draft)
    theirs = Dossier.objects.get(procedure=again(), owner=other)
    assert reuse_record(theirs, list(mine.values()), other, "online", now()) == 0
    assert not Reuse.objects.filter(dossier=theirs).exists()


def test_a_counter_dossier_not_proved_is_not_offered_online(
    citizen: User, ward: WardStaff, media: Path
) -> None:
    """A store filled under an ID number from a counter dossier the account never proved is
    not the account's: an ID number typed at sign-up proves nothing."""
    counter = s.dossier_submit(
        procedure=Procedure.objects.get(code="1.001193", in_hanoi_set=True),
        receiving_unit=factories.unit(WARD),
        applicant=s.Applicant("Phạm Thị Dung", citizen.citizen_profile.id_number),
        channel="counter", at=now(), actor=ward.reception,
    )  # fmt: skip
    VaultDocument.objects.create(
        owner_kind="person", owner_id_number=citizen.citizen_profile.id_number,
        evidence_type="GIAY_KHAI_SINH", name="Giấy khai sinh", origin=Origin.RESULT,
        source_dossier=counter, file="x", sha256="0" * 64, content_type="application/pdf",
        size=1, added_at=now(),
    )  # fmt: skip
    number = citizen.citizen_profile.id_number
    assert offers_for("person", number, [copy_requirement()], citizen, now().date()) == {}
    factories.proven(counter, citizen)
    assert offers_for("person", number, [copy_requirement()], citizen, now().date())
    # The officer at the counter, with the applicant there, sees it by the number.
    assert offers_for("person", number, [copy_requirement()], None, now().date())


def test_a_verified_identity_sees_its_whole_store_and_an_unverified_one_does_not(
    citizen: User, ward: WardStaff, media: Path
) -> None:
    """VNeID level 2 binds the account to the number (decision 0032): the counter dossier's
    paper is offered without proof; level 1, or a level-2 mark without a time, is not enough."""
    counter = s.dossier_submit(
        procedure=Procedure.objects.get(code="1.001193", in_hanoi_set=True),
        receiving_unit=factories.unit(WARD),
        applicant=s.Applicant("Phạm Thị Dung", citizen.citizen_profile.id_number),
        channel="counter", at=now(), actor=ward.reception,
    )  # fmt: skip
    number = citizen.citizen_profile.id_number
    VaultDocument.objects.create(
        owner_kind="person", owner_id_number=number, evidence_type="GIAY_KHAI_SINH",
        name="Giấy khai sinh", origin=Origin.RESULT, source_dossier=counter, file="x",
        sha256="1" * 64, content_type="application/pdf", size=1, added_at=now(),
    )  # fmt: skip
    profile = citizen.citizen_profile
    for level, at in ((1, now()), (2, None)):
        profile.identity_level, profile.identity_verified_at = level, at
        profile.save()
        assert offers_for("person", number, [copy_requirement()], citizen, now().date()) == {}
    profile.identity_level, profile.identity_verified_at = 2, now()
    profile.save()
    assert offers_for("person", number, [copy_requirement()], citizen, now().date())
    other = factories.citizen(id_number="001190088888", phone="0911000111")
    other.citizen_profile.identity_level, other.citizen_profile.identity_verified_at = 2, now()
    other.citizen_profile.save()
    assert offers_for("person", number, [copy_requirement()], other, now().date()) == {}


def test_an_expired_document_is_not_reused(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    certified(browser, ward)
    number = citizen.citizen_profile.id_number
    today = now().date()
    offers = offers_for("person", number, [copy_requirement()], citizen, today)
    assert offers
    VaultDocument.objects.filter(origin=Origin.RESULT).update(
        expires_on=today - datetime.timedelta(days=1)
    )
    assert offers_for("person", number, [copy_requirement()], citizen, today) == {}
    draft = second_draft(browser)
    assert all(i.stored is None for i in checklist_for(draft).items)


def test_the_access_log_lists_every_use_and_the_officer_sees_the_source(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    certified(browser, ward)
    draft = second_draft(browser)
    consent(browser, draft)
    send(browser, draft)
    dossier = Dossier.objects.get(procedure=again())
    reuse = Reuse.objects.get(dossier=dossier)
    officer = Client()
    officer.force_login(ward.reception)
    page = officer.get(reverse("dossiers:detail", kwargs={"ref": dossier.ref})).content.decode()
    assert "reused-components" in page
    assert "Đã có" in page
    assert reuse.document is not None
    assert reuse.document.source_dossier is not None
    assert reuse.document.source_dossier.code in page  # where it comes from
    url = reverse("vault:officer-document", kwargs={"ref": dossier.ref, "pk": reuse.document_id})
    response = officer.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CERTIFICATE  # type: ignore[attr-defined]
    uses = list(DataUse.objects.filter(dossier=dossier).order_by("at", "pk"))
    assert [u.what for u in uses] == [DataUse.What.REUSE, DataUse.What.READ]
    assert uses[1].user == ward.reception
    assert uses[1].unit_name
    mine = browser.get(reverse("vault:my-uses")).content.decode().split('id="data-uses"')[1]
    assert mine.count(dossier.ref) == 2
    assert ward.reception.get_full_name() in mine
    # A stranger officer outside the unit gets nothing and logs nothing.
    outsider = Client()
    outsider.force_login(factories.officer("hn-so-tu-phap", "leader"))
    assert outsider.get(url).status_code == 404
    assert DataUse.objects.filter(dossier=dossier).count() == 2


def test_another_citizen_gets_404_on_a_stored_document(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    certified(browser, ward)
    stored = VaultDocument.objects.get(origin=Origin.RESULT)
    url = reverse("vault:my-document", kwargs={"pk": stored.pk})
    response = browser.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CERTIFICATE  # type: ignore[attr-defined]
    assert "Giấy khai sinh" in browser.get(reverse("vault:my-store")).content.decode()
    stranger = Client()
    stranger.force_login(factories.citizen("001090077777", "0911000777"))
    assert stranger.get(url).status_code == 404
    assert "Giấy khai sinh" not in stranger.get(reverse("vault:my-store")).content.decode()
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def test_the_counter_takes_the_store_with_the_applicants_consent(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    certified(browser, ward)
    officer = Client()
    officer.force_login(ward.reception)
    form = {
        "procedure": AGAIN, "unit": WARD, "name": "Phạm Thị Dung",
        "id_number": citizen.citizen_profile.id_number, "phone": "0912000111",
    }  # fmt: skip
    looked = counter_post(officer, form | {"lookup": "1"}).content.decode()
    assert "Đã có" in looked
    assert "reuse_consent" in looked
    assert not Dossier.objects.filter(procedure=again()).exists()  # a look receives nothing
    chosen = {"reuse": [str(copy_requirement().pk)]}
    counter_post(officer, form | chosen)  # no consent: nothing taken
    first = Dossier.objects.get(procedure=again())
    assert not Reuse.objects.filter(dossier=first).exists()
    counter_post(officer, form | chosen | {"reuse_consent": "yes"})
    second = Dossier.objects.filter(procedure=again()).exclude(pk=first.pk).get()
    reuse = Reuse.objects.get(dossier=second)
    assert reuse.consent == "counter"
    assert reuse.consented_by == ward.reception
    assert DataUse.objects.filter(dossier=second, what=DataUse.What.REUSE).count() == 1


def test_reuse_reaches_the_indicators_and_the_export(
    browser: Client, citizen: User, ward: WardStaff, media: Path
) -> None:
    import io
    import json

    from motcua.dossiers.bulk.export import dossiers_export
    from motcua.dossiers.deadlines import local_date
    from motcua.supervision.compute import Period, Scope, report
    from motcua.supervision.rollup import catch_up

    certified(browser, ward)
    draft = second_draft(browser)
    consent(browser, draft)
    send(browser, draft)
    dossier = Dossier.objects.get(procedure=again())
    s.dossier_receive(dossier=dossier, actor=ward.reception, at=now())
    catch_up()
    # Judged an hour on: a period ending in the very second of reception would count nothing.
    later = now() + datetime.timedelta(hours=1)
    period = Period(local_date(now()), local_date(later))
    indicators = report(period, Scope(), at=later)["indicators"]
    # Two dossiers received today, one of them with a component from the store.
    assert indicators["4.3"]["num"] == 1
    assert indicators["4.3"]["den"] == 2
    assert indicators["4.4"]["value"] == 50.0
    out = io.StringIO()
    dossiers_export(out, at=now())
    rows = {row["ref"]: row for row in map(json.loads, out.getvalue().splitlines())}
    assert rows[dossier.ref]["reused_components"] == 1
    assert rows[dossier.ref]["from_store"] == 1
    others = [r for ref, r in rows.items() if ref != dossier.ref]
    assert others
    assert all(r["reused_components"] == 0 for r in others)


@pytest.mark.parametrize("what", ["reuse", "read"])
def test_every_kind_of_use_is_named_for_the_citizen(what: str) -> None:
    assert str(DataUse.What(what).label)

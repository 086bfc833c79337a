"""After online submission: the supplement reply, the electronic result, and who may download what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.common.errors import DomainError
from motcua.dossiers import services as s
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierDocument
from tests import factories
from tests.portal.test_online_submission import (
    PDF,
    WARD,
    birth,
    browser,
    citizen,
    fill,
    media,
    png,
    start,
    submit,
)

__all__ = ["browser", "citizen", "media"]


class WardStaff:
    def __init__(self) -> None:
        self.reception = factories.officer(WARD, Role.RECEPTION)
        self.head = factories.officer(WARD, Role.DIVISION_HEAD)
        self.specialist = factories.officer(WARD, Role.SPECIALIST)
        self.leader = factories.officer(WARD, Role.LEADER)


@pytest.fixture
def ward(db: None) -> WardStaff:
    return WardStaff()


def submitted_online(client: Client) -> Dossier:
    draft = start(client)
    fill(client, draft)
    submit(client, draft)
    return Dossier.objects.get(procedure=birth())


def asked_for_supplement(client: Client, ward: WardStaff) -> Dossier:
    dossier = s.dossier_receive(dossier=submitted_online(client), actor=ward.reception, at=now())
    return s.dossier_request_supplement(
        dossier=dossier, actor=ward.reception, at=now(),
        reason="Giấy chứng sinh bị mờ\nVăn bản ủy quyền có chứng thực",
        items=["Giấy chứng sinh bị mờ", "Văn bản ủy quyền có chứng thực"],
    )  # fmt: skip


def decided(client: Client, ward: WardStaff) -> Dossier:
    dossier = s.dossier_receive(dossier=submitted_online(client), actor=ward.reception, at=now())
    dossier = s.dossier_assign(dossier=dossier, actor=ward.head, at=now(), assignee=ward.specialist)
    dossier = s.dossier_forward(dossier=dossier, actor=ward.specialist, at=now())
    # Signed with the decision's text; the result is then ready to hand over (PROCESSED).
    return s.dossier_approve(dossier=dossier, actor=ward.leader, at=now(), note="Đồng ý")


def test_the_citizen_sees_exactly_what_is_asked(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = asked_for_supplement(browser, ward)
    page = browser.get(reverse("portal:my-dossier", kwargs={"ref": dossier.ref})).content.decode()
    assert "Giấy chứng sinh bị mờ" in page
    assert "Văn bản ủy quyền có chứng thực" in page
    assert reverse("portal:supplement", kwargs={"ref": dossier.ref}) in page


def test_the_reply_attaches_the_files_and_resumes_the_dossier(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = asked_for_supplement(browser, ward)
    response = browser.post(
        reverse("portal:supplement", kwargs={"ref": dossier.ref}),
        {
            "version": dossier.version,
            "item-0": SimpleUploadedFile("ro-net.pdf", PDF),
            "item-1": SimpleUploadedFile("uy-quyen.png", png()),
            "note": "Đã chụp lại rõ hơn",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    supplements = dossier.documents.filter(kind=DossierDocument.Kind.SUPPLEMENT)
    assert sorted(d.name for d in supplements) == [
        "Giấy chứng sinh bị mờ", "Văn bản ủy quyền có chứng thực",
    ]  # fmt: skip
    last = dossier.events.order_by("-seq").first()
    assert last is not None
    assert (last.action, last.actor) == (Action.SUBMIT_SUPPLEMENT, dossier.owner)
    assert dossier.pauses.get().end is not None


def test_a_bad_file_in_the_reply_changes_nothing(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = asked_for_supplement(browser, ward)
    before = sorted(p.name for p in media.rglob("*") if p.is_file())
    response = browser.post(
        reverse("portal:supplement", kwargs={"ref": dossier.ref}),
        {
            "version": dossier.version,
            "item-0": SimpleUploadedFile("ok.pdf", PDF),
            "item-1": SimpleUploadedFile("virus.pdf", b"MZ not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "Chỉ nhận tệp PDF, PNG hoặc JPEG" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert not dossier.documents.filter(kind=DossierDocument.Kind.SUPPLEMENT).exists()
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == before


def test_an_empty_reply_is_refused(browser: Client, ward: WardStaff, media: Path) -> None:
    dossier = asked_for_supplement(browser, ward)
    response = browser.post(
        reverse("portal:supplement", kwargs={"ref": dossier.ref}), {"version": dossier.version}
    )
    assert response.status_code == 400
    assert "Hãy chọn ít nhất một tệp" in response.content.decode()


def test_a_full_online_result_must_be_electronic(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = decided(browser, ward)
    with pytest.raises(DomainError, match="bản điện tử"):
        s.dossier_return_result(dossier=dossier, actor=ward.reception, at=now())
    s.dossier_attach(
        dossier=dossier, actor=ward.reception, at=now(), name="Giấy khai sinh (bản điện tử)",
        upload=SimpleUploadedFile("kq.pdf", PDF), kind=DossierDocument.Kind.RESULT,
    )  # fmt: skip
    returned = s.dossier_return_result(dossier=dossier, actor=ward.reception, at=now())
    assert returned.status == Status.RETURNED


def test_the_dossier_page_says_to_attach_the_result_before_offering_to_return_it(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = decided(browser, ward)
    officer = Client()
    officer.force_login(ward.reception)
    page = officer.get(reverse("dossiers:detail", args=[dossier.ref])).content.decode()
    assert 'id="action-return_result"' in page
    assert "đính kèm tệp kết quả" in page
    assert 'action="/can-bo/ho-so/' not in page.split('id="action-return_result"')[1][:600]
    s.dossier_attach(
        dossier=dossier, actor=ward.reception, at=now(), name="Giấy khai sinh (bản điện tử)",
        upload=SimpleUploadedFile("kq.pdf", PDF), kind=DossierDocument.Kind.RESULT,
    )  # fmt: skip
    page = officer.get(reverse("dossiers:detail", args=[dossier.ref])).content.decode()
    assert "đính kèm tệp kết quả" not in page
    assert reverse("dossiers:act", args=[dossier.ref, "return_result"]) in page


def test_the_result_is_downloadable_only_by_the_applicant_once_handed_over(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = s.dossier_receive(dossier=submitted_online(browser), actor=ward.reception, at=now())
    result = s.dossier_attach(
        dossier=dossier, actor=ward.reception, at=now(), name="Giấy khai sinh",
        upload=SimpleUploadedFile("kq.pdf", PDF), kind=DossierDocument.Kind.RESULT,
    )  # fmt: skip
    url = reverse("portal:document", kwargs={"ref": dossier.ref, "pk": result.pk})
    assert browser.get(url).status_code == 404  # not decided yet
    dossier = s.dossier_assign(dossier=dossier, actor=ward.head, at=now(), assignee=ward.specialist)
    dossier = s.dossier_forward(dossier=dossier, actor=ward.specialist, at=now())
    # The attached draft result is the substance of the approval: no note needed.
    dossier = s.dossier_approve(dossier=dossier, actor=ward.leader, at=now())
    assert dossier.status == Status.PROCESSED
    assert browser.get(url).status_code == 404  # decided, not yet handed over
    s.dossier_return_result(dossier=dossier, actor=ward.reception, at=now())
    response = browser.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    page = browser.get(reverse("portal:my-dossier", kwargs={"ref": dossier.ref})).content.decode()
    assert url in page


def test_nobody_else_gets_a_file_whatever_they_try(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = submitted_online(browser)
    own = dossier.documents.get()
    stranger = Client()
    stranger.force_login(factories.citizen("001090055555", "0912999888"))
    attempts = [
        reverse("portal:document", kwargs={"ref": dossier.ref, "pk": own.pk}),
        reverse("portal:my-dossier", kwargs={"ref": dossier.ref}),
        reverse("portal:supplement", kwargs={"ref": dossier.ref}),
        reverse("dossiers:document", kwargs={"ref": dossier.ref, "pk": own.pk}),
        "/media/" + own.file.name,
    ]
    for url in attempts:
        assert stranger.get(url).status_code in (403, 404), url
    assert Client().get(attempts[0]).status_code == 302  # anonymous: to the sign-in page


def test_an_electronic_result_is_announced_when_it_can_be_downloaded(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    from motcua.notifications.constants import Kind
    from motcua.notifications.models import Notification

    dossier = decided(browser, ward)
    assert not Notification.objects.filter(dossier=dossier, kind=Kind.RESULT_READY).exists()
    s.dossier_attach(
        dossier=dossier, actor=ward.reception, at=now(), name="Giấy khai sinh (bản điện tử)",
        upload=SimpleUploadedFile("kq.pdf", PDF), kind=DossierDocument.Kind.RESULT,
    )  # fmt: skip
    s.dossier_return_result(dossier=dossier, actor=ward.reception, at=now())
    sent = Notification.objects.filter(dossier=dossier, kind=Kind.RESULT_READY)
    assert sent.count() == 2  # e-mail and SMS
    assert all("dien tu" in n.body or "điện tử" in n.body for n in sent)
    assert all(f"/ho-so-cua-toi/{dossier.ref}/" in n.body for n in sent)  # their account


def test_the_officer_reads_the_citizens_declaration(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = submitted_online(browser)
    officer = Client()
    officer.force_login(ward.reception)
    page = officer.get(reverse("dossiers:detail", args=[dossier.ref])).content.decode()
    assert "Tờ khai của người nộp" in page
    assert "Nguyễn Minh An" in page  # the child
    assert "20/11/2026" in page  # dates as people read them


def test_the_reference_given_at_submission_works_in_the_public_lookup(
    browser: Client, ward: WardStaff, media: Path
) -> None:
    dossier = submitted_online(browser)
    page = (
        Client()
        .post(reverse("portal:lookup"), {"code": dossier.ref, "digits": "1234"})
        .content.decode()
    )
    assert "Đã nộp, đang chờ tiếp nhận" in page


def test_my_dossiers_costs_the_same_few_queries_however_many_are_decided(
    citizen: User, browser: Client, ward: WardStaff, django_assert_max_num_queries: Any
) -> None:
    from motcua.organizations.models import Unit

    for _ in range(3):
        dossier = s.dossier_submit(
            procedure=birth(), receiving_unit=Unit.objects.get(code=WARD), channel="online",
            applicant=s.Applicant("Nguyễn Thị Hoa", "001190001234"), at=now(), owner=citizen,
        )  # fmt: skip
        dossier = s.dossier_receive(dossier=dossier, actor=ward.reception, at=now())
        dossier = s.dossier_assign(
            dossier=dossier, actor=ward.head, at=now(), assignee=ward.specialist
        )
        dossier = s.dossier_forward(dossier=dossier, actor=ward.specialist, at=now())
        s.dossier_approve(dossier=dossier, actor=ward.leader, at=now(), note="Đồng ý")
    browser.get(reverse("portal:my-dossiers"))
    with django_assert_max_num_queries(8):
        page = browser.get(reverse("portal:my-dossiers")).content.decode()
    assert page.count("cơ quan đang gửi kết quả điện tử") == 3

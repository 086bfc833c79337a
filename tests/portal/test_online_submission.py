"""Online submission: a draft filled step by step, checked uploads, one dossier per draft."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from PIL import Image

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.clock import now
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.portal.models import Draft, DraftDocument
from motcua.portal.submission import checklist_for, draft_submit
from tests import factories
from tests.files import tiny_pdf
from tests.storage import stored_files

BIRTH = "1.001193"
WARD = "hn-phuong-hoan-kiem"
PDF = tiny_pdf()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def citizen(db: None) -> User:
    return factories.citizen("001190001234", "0912000111")


@pytest.fixture
def browser(citizen: User) -> Client:
    client = Client()
    client.force_login(citizen)
    return client


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def birth() -> Procedure:
    return Procedure.objects.get(code=BIRTH, in_hanoi_set=True)


def start(client: Client) -> Draft:
    response = client.post(reverse("portal:online-start", kwargs={"code": BIRTH}))
    assert response.status_code == 302
    return Draft.objects.get(procedure=birth(), dossier__isnull=True)


BIRTH_ANSWER = {
    "nguoi_yeu_cau.ho_ten": "Nguyễn Thị Hoa",
    "nguoi_yeu_cau.so_dinh_danh": "001190001234",
    "nguoi_yeu_cau.so_dien_thoai": "0912000111",
    "tre.ho_ten": "Nguyễn Minh An",
    "tre.gioi_tinh": "Nam",
    "tre.ngay_sinh": "2026-11-20",
    "tre.noi_sinh": "Bệnh viện Phụ sản Hà Nội",
    "me.ho_ten": "Nguyễn Thị Hoa",
    "me.so_dinh_danh": "001190001234",
    "quan_he_voi_tre": "Mẹ",
}


def certificate_item(draft: Draft) -> int:
    from motcua.portal.submission import checklist_for

    required = [i for i in checklist_for(draft).items if i.required]
    assert required, "the birth procedure asks for the birth certificate"
    return required[0].requirement.pk


def page(draft: Draft) -> str:
    return reverse("portal:draft", kwargs={"key": draft.key})


def fill(client: Client, draft: Draft) -> None:
    """Everything on the one page, saved as a draft (not yet sent)."""
    upload = SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf")
    answer = {"unit": WARD, **BIRTH_ANSWER, f"file-{certificate_item(draft)}": upload, "save": "1"}
    assert client.post(page(draft), answer).status_code == 302


def submit(client: Client, draft: Draft) -> HttpResponse:
    """ "Nộp hồ sơ" on the filled page (the page posts every answer it shows)."""
    response: HttpResponse = client.post(page(draft), {"unit": WARD, **BIRTH_ANSWER, "send": "1"})
    return response


def test_a_visitor_may_fill_but_submitting_needs_an_account(db: None) -> None:
    visitor = Client()
    url = reverse("portal:online-start", kwargs={"code": BIRTH})
    assert visitor.get(url).status_code == 200
    response = visitor.post(url, {"tre.ho_ten": "An", "then": "sign-in"})
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]
    assert not Draft.objects.exists()
    assert not Dossier.objects.exists()


def test_the_procedure_page_offers_online_submission_only_where_it_exists(db: None) -> None:
    page = Client().get(reverse("catalog:detail", kwargs={"code": BIRTH})).content.decode()
    assert reverse("portal:online-start", kwargs={"code": BIRTH}) in page
    offline = Procedure.objects.filter(in_hanoi_set=True, online_level="unknown").first()
    assert offline is not None
    page = Client().get(reverse("catalog:detail", kwargs={"code": offline.code})).content.decode()
    assert "nop-truc-tuyen" not in page


def test_a_procedure_without_online_submission_says_so(browser: Client) -> None:
    offline = Procedure.objects.filter(in_hanoi_set=True, online_level="unknown").first()
    assert offline is not None
    url = reverse("portal:online-start", kwargs={"code": offline.code})
    assert "chưa nộp trực tuyến được" in browser.get(url).content.decode()
    browser.post(url)
    assert not Draft.objects.exists()


def test_the_applicant_block_is_prefilled_from_the_account(browser: Client, citizen: User) -> None:
    draft = start(browser)
    html = browser.get(page(draft)).content.decode()
    assert 'value="001190001234"' in html
    assert 'value="0912000111"' in html
    assert citizen.full_name in html


def test_a_wrong_form_keeps_what_was_typed_and_says_what_to_do(browser: Client) -> None:
    draft = start(browser)
    answer = {
        **BIRTH_ANSWER,
        "tre.ho_ten": "",
        "me.so_dinh_danh": "12345",
        "tre.ngay_sinh": "31/02/2026",
        "send": "1",
    }
    response = browser.post(page(draft), answer)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hãy nhập họ, chữ đệm và tên." in html
    assert "Số định danh cá nhân gồm 12 chữ số" in html
    assert "ngày này không có trên lịch" in html
    assert 'href="#f-tre-ho_ten"' in html  # the summary links to the field
    draft.refresh_from_db()
    assert draft.eform_data["tre"]["noi_sinh"] == "Bệnh viện Phụ sản Hà Nội"
    assert draft.eform_valid is False


def test_a_birth_date_in_the_future_is_refused(browser: Client) -> None:
    draft = start(browser)
    answer = {**BIRTH_ANSWER, "tre.ngay_sinh": "01/01/2099", "send": "1"}
    response = browser.post(page(draft), answer)
    assert "không thể sau hôm nay" in response.content.decode()


def test_dates_typed_day_first_are_understood(browser: Client) -> None:
    draft = start(browser)
    answer = {**BIRTH_ANSWER, "tre.ngay_sinh": "20/11/2026", "save": "1"}
    browser.post(page(draft), answer)
    draft.refresh_from_db()
    assert draft.eform_data["tre"]["ngay_sinh"] == "2026-11-20"


def test_a_draft_is_resumed_not_duplicated(browser: Client) -> None:
    first = start(browser)
    second = start(browser)
    assert first.pk == second.pk
    assert "Hồ sơ đang soạn" in browser.get(reverse("portal:my-dossiers")).content.decode()


@pytest.mark.s3
def test_submission_creates_one_online_dossier_with_its_files(
    browser: Client, citizen: User, media: Path
) -> None:
    draft = start(browser)
    fill(browser, draft)
    first = submit(browser, draft)
    second = submit(browser, draft)  # a double click, or a retry after a lost answer
    assert first.status_code == second.status_code == 302
    dossier = Dossier.objects.get(procedure=birth())
    assert (
        first["Location"]
        == second["Location"]
        == reverse("portal:my-dossier", kwargs={"ref": dossier.ref})
    )
    assert dossier.channel == Channel.ONLINE
    assert dossier.owner == citizen
    assert dossier.applicant_id_number == "001190001234"
    assert dossier.receiving_unit.code == WARD
    assert dossier.status == Status.NEW
    assert dossier.eform_data["tre"]["ho_ten"] == "Nguyễn Minh An"
    documents = list(dossier.documents.all())
    assert [d.kind for d in documents] == [DossierDocument.Kind.INPUT]
    assert documents[0].file.read() == PDF
    assert list(dossier.events.values_list("action", flat=True)) == [Action.SUBMIT, Action.ATTACH]
    draft.refresh_from_db()
    assert draft.dossier == dossier


def test_submission_waits_for_the_required_documents(browser: Client, media: Path) -> None:
    draft = start(browser)
    response = browser.post(page(draft), {"unit": WARD, **BIRTH_ANSWER, "send": "1"})
    assert response.status_code == 400
    assert "Chưa tải lên: Giấy chứng sinh" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_unit_outside_the_list_is_refused(browser: Client) -> None:
    draft = start(browser)
    response = browser.post(page(draft), {"unit": "hn-so-tu-phap", "save": "1"})
    assert response.status_code == 400
    assert "Hãy chọn nơi tiếp nhận" in response.content.decode()


REFUSED = [
    (b"just some text", "ghi-chu.txt", "Chỉ nhận tệp PDF, PNG hoặc JPEG"),
    (b"", "rong.pdf", "Tệp trống"),
    (b"MZ\x90\x00 an executable renamed", "giay-chung-sinh.pdf", "dù tên tệp có thể ghi .pdf"),
    (b"PK\x03\x04 a word document renamed", "giay-chung-sinh.pdf", "Chỉ nhận tệp PDF"),
]


@pytest.mark.parametrize(("content", "filename", "message"), REFUSED)
def test_refused_uploads_say_why_and_leave_nothing(
    browser: Client, media: Path, content: bytes, filename: str, message: str
) -> None:
    draft = start(browser)
    upload = SimpleUploadedFile(filename, content)
    response = browser.post(page(draft), {f"file-{certificate_item(draft)}": upload, "save": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DraftDocument.objects.exists()
    assert files_in(media) == []


def test_an_oversized_upload_is_refused(browser: Client, media: Path, settings: Any) -> None:
    settings.MOTCUA_MAX_UPLOAD_MB = 1
    draft = start(browser)
    big = PDF + b"0" * (1024 * 1024)
    upload = SimpleUploadedFile("to.pdf", big)
    response = browser.post(page(draft), {f"file-{certificate_item(draft)}": upload, "save": "1"})
    assert response.status_code == 400
    assert "Tệp quá lớn: tối đa 1 MB" in response.content.decode()
    assert files_in(media) == []


@pytest.mark.s3
def test_a_png_photo_is_accepted_and_can_be_removed(
    browser: Client, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    draft = start(browser)
    url = page(draft)
    upload = SimpleUploadedFile("anh.png", png())
    browser.post(url, {f"file-{certificate_item(draft)}": upload, "save": "1"})
    document = DraftDocument.objects.get()
    assert document.content_type == "image/png"
    with django_capture_on_commit_callbacks() as removals:
        browser.post(url, {"remove": document.pk})
    assert not DraftDocument.objects.exists()
    assert stored_files() == [document.file.name]  # until the commit
    for removal in removals:
        removal()
    assert stored_files() == []


def test_the_former_step_addresses_lead_to_the_one_page(browser: Client) -> None:
    draft = start(browser)
    for step, anchor in (("to-khai", "#to-khai"), ("giay-to", "#giay-to"), ("xem-lai", "")):
        url = reverse("portal:draft-old-step", kwargs={"key": draft.key, "step": step})
        assert browser.get(url)["Location"] == page(draft) + anchor
    unknown = reverse("portal:draft-old-step", kwargs={"key": draft.key, "step": "khac"})
    assert browser.get(unknown).status_code == 404


def test_nobody_else_can_open_a_draft(browser: Client, db: None) -> None:
    draft = start(browser)
    other = Client()
    other.force_login(factories.citizen("001090055555", "0912999888"))
    assert other.get(page(draft)).status_code == 404
    for step in ("noi-nop", "to-khai", "giay-to", "xem-lai"):  # the former steps' addresses
        url = reverse("portal:draft-old-step", kwargs={"key": draft.key, "step": step})
        assert other.get(url).status_code == 404
    assert other.post(page(draft), {"send": "1"}).status_code == 404
    assert not Dossier.objects.exists()


def test_typing_is_saved_as_a_draft_without_shouting_errors(browser: Client) -> None:
    draft = start(browser)
    url = page(draft)
    partial = {"tre.ho_ten": "Nguyễn Minh An"}
    response = browser.post(url, {**partial, "autosave": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Đã tự động lưu nháp" in response.content.decode()
    draft.refresh_from_db()
    assert draft.eform_data["tre"] == {"ho_ten": "Nguyễn Minh An"}
    saved = browser.post(url, {**partial, "tre.noi_sinh": "Hà Nội", "save": "1"})
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.eform_data["tre"]["noi_sinh"] == "Hà Nội"
    assert draft.eform_valid is False  # saved as it is; checked when the applicant goes on


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_draft_make_one_dossier(
    settings: Any, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads are a PostgreSQL test; SQLite serialises writers")
    settings.MEDIA_ROOT = tmp_path
    owner = factories.citizen("001190001234", "0912000111")
    client = Client()
    client.force_login(owner)
    draft = start(client)
    fill(client, draft)
    barrier = threading.Barrier(2)
    refs: list[str] = []

    def submit() -> None:
        barrier.wait()
        try:
            refs.append(draft_submit(draft=draft, user=owner, at=now()).ref)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refs) == 2
    assert len(set(refs)) == 1
    assert Dossier.objects.filter(procedure=birth()).count() == 1
    assert DossierDocument.objects.count() == 1


def test_none_of_the_situations_leaves_only_the_documents_asked_of_everyone(
    browser: Client,
) -> None:
    from motcua.portal.submission import checklist_for, situations

    residence = Procedure.objects.get(code="1.004222", in_hanoi_set=True)
    browser.post(reverse("portal:online-start", kwargs={"code": "1.004222"}))
    draft = Draft.objects.get(procedure=residence)
    assert len(situations(residence)) > 1
    url = reverse("portal:draft", kwargs={"key": draft.key})
    police = "hn-cong-an-phuong-hoan-kiem"
    assert browser.post(url, {"unit": police, "send": "1"}).status_code == 400  # not sent
    chosen = {"unit": police, "situation": "none", "save": "1"}
    assert browser.post(url, chosen).status_code == 302
    draft.refresh_from_db()
    assert draft.no_situation
    situational = {g.pk for g in situations(residence)}
    assert all(i.requirement.group_id not in situational for i in checklist_for(draft).items)


@pytest.mark.parametrize("value", ["inf", "nan", "-Infinity", "1e400"])
def test_numbers_that_are_not_numbers_are_refused_not_crashed_on(
    browser: Client, value: str
) -> None:
    Procedure.objects.filter(code="1.013225", in_hanoi_set=True).update(online_level="full")
    browser.post(reverse("portal:online-start", kwargs={"code": "1.013225"}))
    draft = Draft.objects.get(procedure__code="1.013225")
    url = reverse("portal:draft", kwargs={"key": draft.key})
    response = browser.post(url, {"dien_tich_xay_dung_m2": value, "send": "1"})
    assert response.status_code == 400
    assert "nhập một số" in response.content.decode()


@pytest.mark.parametrize("field", ["remove", "requirement"])
def test_odd_digits_in_hidden_fields_are_ignored(browser: Client, field: str) -> None:
    draft = start(browser)
    response = browser.post(page(draft), {field: "²", "save": "1"})
    assert response.status_code in (302, 400)


@pytest.mark.s3
def test_the_submitted_draft_leaves_no_copy_of_the_files(
    browser: Client, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    draft = start(browser)
    fill(browser, draft)
    with django_capture_on_commit_callbacks(execute=True):
        submit(browser, draft)
    assert not DraftDocument.objects.exists()
    assert [name.split("/")[0] for name in stored_files()] == ["dossiers"]


def test_files_of_an_abandoned_situation_are_not_sent(browser: Client, media: Path) -> None:
    from motcua.portal.submission import situations

    residence = Procedure.objects.get(code="1.004222", in_hanoi_set=True)
    browser.post(reverse("portal:online-start", kwargs={"code": "1.004222"}))
    draft = Draft.objects.get(procedure=residence)
    first, second = situations(residence)[:2]
    url = reverse("portal:draft", kwargs={"key": draft.key})
    police = "hn-cong-an-phuong-hoan-kiem"
    browser.post(url, {"unit": police, "situation": first.pk, "save": "1"})
    item = next(i for i in first.items.all() if i.originals and not i.replaceable_by_registry)
    upload = SimpleUploadedFile("cu.pdf", PDF)
    browser.post(
        url, {"unit": police, "situation": first.pk, f"file-{item.pk}": upload, "save": "1"}
    )
    assert DraftDocument.objects.count() == 1
    browser.post(url, {"unit": police, "situation": second.pk, "save": "1"})
    draft.refresh_from_db()
    from motcua.portal.submission import checklist_for

    assert all(not i.files for i in checklist_for(draft).items)


def test_a_paper_the_agency_fetches_itself_may_still_be_uploaded(browser: Client) -> None:
    """Death registration: the agency fetches the death notice from the e-registry when it can
    (so it is not required), but the family can upload the copy they hold (issue 13's QA pass:
    the death notice had no upload slot at all)."""
    response = browser.post(reverse("portal:online-start", kwargs={"code": "1.000656"}))
    draft = Draft.objects.get(procedure__code="1.000656", dossier__isnull=True)
    assert response.status_code == 302
    notice = next(item for item in checklist_for(draft).items if "Giấy báo tử" in item.label[:20])
    assert notice.how == "registry"
    assert not notice.required
    assert f'name="file-{notice.requirement.pk}"' in browser.get(page(draft)).content.decode()
    upload = SimpleUploadedFile("giay-bao-tu.pdf", PDF, content_type="application/pdf")
    browser.post(page(draft), {f"file-{notice.requirement.pk}": upload, "save": "1"})
    assert draft.documents.filter(requirement=notice.requirement).count() == 1


def test_a_paper_for_another_case_is_not_required(browser: Client) -> None:
    """Death registration asks proof of the death only "đối với trường hợp … không có Giấy báo
    tử": a family holding the death notice is not stopped for it (the QA pass was)."""
    browser.post(reverse("portal:online-start", kwargs={"code": "1.000656"}))
    draft = Draft.objects.get(procedure__code="1.000656", dossier__isnull=True)
    long_ago = next(item for item in checklist_for(draft).items if "đã lâu" in item.label)
    assert long_ago.how == "optional"
    assert not long_ago.required

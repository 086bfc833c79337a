"""The pages: who sees and acts on what (404 outside), bad input answered in Vietnamese and in
English, the public page searched without accents and without personal data."""

from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.feedback.constants import FeedbackStatus
from motcua.feedback.models import Feedback
from motcua.feedback.services import feedback_answer, feedback_publish
from tests.dossiers.conftest import Staff
from tests.files import tiny_pdf

from .conftest import at, logged_in, own_dossier, sent


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_stranger_cannot_see_anothers_feedback(
    staff: Staff, applicant: User, stranger: User
) -> None:
    feedback = sent(staff, applicant)
    mine = reverse("feedback:mine-detail", kwargs={"code": feedback.code})
    assert logged_in(applicant).get(mine).status_code == 200
    client = logged_in(stranger)
    assert client.get(mine).status_code == 404
    assert client.post(mine, {"text": "x"}).status_code == 404
    assert feedback.code not in client.get(reverse("feedback:mine")).content.decode()
    assert client.get(reverse("feedback:officer-list")).status_code == 403


def test_another_units_officer_gets_404(
    staff: Staff, applicant: User, other_unit_leader: User
) -> None:
    feedback = sent(staff, applicant)
    client = logged_in(other_unit_leader)
    detail = reverse("feedback:officer-detail", kwargs={"code": feedback.code})
    act = reverse("feedback:officer-act", kwargs={"code": feedback.code, "action": "answer"})
    assert client.get(detail).status_code == 404
    assert client.post(act, {"text": "Trả lời"}).status_code == 404
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.RECEIVED
    assert feedback.code not in client.get(reverse("feedback:officer-list")).content.decode()


def test_the_units_officer_lists_answers_and_publishes(staff: Staff, applicant: User) -> None:
    feedback = sent(staff, applicant)
    client = logged_in(staff.leader)
    listed = client.get(reverse("feedback:officer-list")).content.decode()
    assert feedback.code in listed
    assert "Trả lời trước 23/03/2026 17:00" in listed
    act = reverse("feedback:officer-act", kwargs={"code": feedback.code, "action": "answer"})
    page = client.post(act, {"text": ""}, follow=True).content.decode()
    assert "Hãy ghi nội dung trả lời." in page
    client.post(act, {"text": "Hồ sơ đã được trả kết quả."})
    publish = reverse("feedback:officer-act", kwargs={"code": feedback.code, "action": "publish"})
    page = client.post(publish, follow=True).content.decode()
    assert "Đã công khai kết quả trả lời" in page
    assert Feedback.objects.get(pk=feedback.pk).status == FeedbackStatus.PUBLISHED


def test_bad_input_is_explained_in_vietnamese_and_in_english(applicant: User) -> None:
    page = logged_in(applicant).post(reverse("feedback:send"), {}).content.decode()
    assert "Hãy chọn bạn phản ánh về thủ tục, hồ sơ hay cán bộ." in page
    page = english(logged_in(applicant)).post(reverse("feedback:send"), {}).content.decode()
    assert "Choose whether your feedback is about a procedure, a dossier or an officer." in page
    data = {"subject": "procedure", "procedure": "abc", "title": "t", "question": "q"}
    page = english(logged_in(applicant)).post(reverse("feedback:send"), data).content.decode()
    assert "There is no procedure with the code" in page


def test_sending_online_lands_on_the_feedback(staff: Staff, applicant: User) -> None:
    dossier = own_dossier(staff, applicant)
    client = logged_in(applicant)
    form = client.get(reverse("feedback:send")).content.decode()
    assert dossier.ref in form  # one's own dossiers are offered
    response = client.post(
        reverse("feedback:send"),
        {"subject": "dossier", "dossier": dossier.ref, "title": "Trễ hạn", "question": "Quá hạn."},
    )
    feedback = Feedback.objects.get()
    assert response["Location"] == reverse("feedback:mine-detail", kwargs={"code": feedback.code})
    assert feedback.unit_id == dossier.deciding_unit_id


def test_the_public_page_is_searched_without_accents_and_hides_personal_data(
    staff: Staff, applicant: User
) -> None:
    feedback = sent(staff, applicant)
    anonymous = Client()
    assert feedback.code not in anonymous.get(reverse("feedback:public")).content.decode()
    feedback = feedback_answer(
        feedback=feedback, actor=staff.leader, answer="Kính gửi bà Phạm Thị Dung: đã xử lý.",
        at=at("2026-03-03 09:00"),
    )  # fmt: skip
    feedback_publish(feedback=feedback, actor=staff.leader, at=at("2026-03-03 10:00"))
    page = anonymous.get(reverse("feedback:public"), {"q": "ho so tre han"}).content.decode()
    assert "Hồ sơ trễ hạn" in page
    assert "đã xử lý" in page
    for secret in ("Phạm Thị Dung", "0912345678", "001090012345"):
        assert secret not in page
    page = anonymous.get(reverse("feedback:public"), {"q": "khai sinh"}).content.decode()
    assert "Hồ sơ trễ hạn" not in page


def test_attachments_are_served_to_the_sender_and_the_unit_only(
    staff: Staff, applicant: User, stranger: User, other_unit_leader: User, settings: object,
    tmp_path: object,
) -> None:  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.feedback.services import Target, feedback_submit

    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    dossier = own_dossier(staff, applicant)
    pdf = SimpleUploadedFile("giay-hen.pdf", tiny_pdf(), content_type="application/pdf")
    feedback = feedback_submit(
        user=applicant, target=Target("dossier", dossier=dossier.ref), title="t", question="q",
        uploads=[pdf], at=at("2026-03-02 10:00"),
    )  # fmt: skip
    pk = feedback.attachments.get().pk
    mine = reverse("feedback:mine-file", kwargs={"code": feedback.code, "pk": pk})
    office = reverse("feedback:officer-file", kwargs={"code": feedback.code, "pk": pk})
    assert logged_in(applicant).get(mine).status_code == 200
    assert logged_in(staff.specialist).get(office).status_code == 200
    assert logged_in(stranger).get(mine).status_code == 404
    assert logged_in(other_unit_leader).get(office).status_code == 404
    assert Client().get(mine).status_code == 302  # to the sign-in page


def test_the_dossier_page_links_to_feedback_about_it(staff: Staff, applicant: User) -> None:
    dossier = own_dossier(staff, applicant)
    client = logged_in(applicant)
    page = client.get(reverse("portal:my-dossier", kwargs={"ref": dossier.ref})).content.decode()
    assert f"/phan-anh/gui/?ho-so={dossier.ref}" in page
    form = client.get(reverse("feedback:send"), {"ho-so": dossier.ref}).content.decode()
    assert f'value="{dossier.ref}" selected' in form


def test_the_admin_lists_feedback_read_only(staff: Staff, applicant: User) -> None:
    feedback = sent(staff, applicant)
    root = User.objects.create_superuser("goc", password="Mat-khau-thu-nghiem-1")
    client = Client()
    client.force_login(root)
    listed = client.get(reverse("admin:feedback_feedback_changelist")).content.decode()
    assert feedback.code in listed
    assert client.get(reverse("admin:feedback_feedback_add")).status_code == 403


def test_the_officer_reads_the_subject_as_a_dossier_not_as_his_own(
    staff: Staff, applicant: User
) -> None:
    feedback = sent(staff, applicant)
    page = logged_in(staff.leader).get(f"/can-bo/phan-anh/{feedback.code}/").content.decode()
    assert "Hồ sơ của tôi —" not in page  # the citizen's words on the form, not the officer's
    assert f"Hồ sơ — {feedback.dossier.procedure.name}" in page  # type: ignore[union-attr]


def test_the_units_are_offered_in_vietnamese_alphabetical_order(db: None) -> None:
    from motcua.feedback.forms import FeedbackForm

    names = [str(name) for _code, name in FeedbackForm().fields["unit"].choices[1:]]
    assert names.index("Phường Cầu Giấy") < names.index("Phường Chương Mỹ")
    assert names.index("Phường Hà Đông") < names.index("Phường Hoàng Mai")


def published_under_older_rules(staff: Staff, applicant: User) -> Feedback:
    """A published answer whose public copy was written by older redaction rules, which let an
    ID number and a name introduced in small letters through (QA)."""
    feedback = sent(staff, applicant)
    feedback = feedback_answer(
        feedback=feedback, actor=staff.leader, answer="Người gửi: tôi tên là trần văn bình, "
        "số căn cước 001 085 007 777. Đã xử lý xong.", at=at("2026-03-03 09:00"),
    )  # fmt: skip
    feedback = feedback_publish(feedback=feedback, actor=staff.leader, at=at("2026-03-03 10:00"))
    older = "Người gửi: tôi tên là trần văn bình, số căn cước 001 085 007 777. Đã xử lý xong."
    Feedback.objects.filter(pk=feedback.pk).update(
        public_answer=older, search_text=f"{feedback.search_text} tran van binh 001085007777"
    )
    return feedback


def test_an_answer_published_under_older_rules_is_redacted_when_shown(
    staff: Staff, applicant: User
) -> None:
    published_under_older_rules(staff, applicant)
    page = Client().get(reverse("feedback:public")).content.decode()
    assert "Đã xử lý xong" in page
    for secret in ("trần văn bình", "001 085 007 777"):
        assert secret not in page


def test_the_redaction_command_rewrites_older_public_copies_and_their_search(
    staff: Staff, applicant: User
) -> None:
    feedback = published_under_older_rules(staff, applicant)
    out = StringIO()
    call_command("feedback_redact", stdout=out)
    assert "1 phản ánh" in out.getvalue()
    feedback.refresh_from_db()
    assert "bình" not in feedback.public_answer
    assert "007 777" not in feedback.public_answer
    assert "binh" not in feedback.search_text
    for query in ("tran van binh", "001085007777"):
        page = Client().get(reverse("feedback:public"), {"q": query}).content.decode()
        assert "Đã xử lý xong" not in page
    call_command("feedback_redact", stdout=(again := StringIO()))
    assert "0 phản ánh" in again.getvalue()  # nothing more to change

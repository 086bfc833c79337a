"""What an attacker sends as feedback: markup in the text and in a file's name (shown escaped to
the officer, the sender and the public), a file that is not a PDF though named so, one too big."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.accounts.models import User
from motcua.feedback.models import Feedback
from motcua.feedback.services import feedback_answer, feedback_publish
from tests.dossiers.conftest import Staff
from tests.files import tiny_pdf

from .conftest import POLICE, at, logged_in, own_dossier

SCRIPT = "<script>alert(1)</script>"
NAME = '"><img src=x onerror=alert(2)>.pdf'


def send(client: Any, dossier_ref: str, upload: SimpleUploadedFile | None = None) -> Any:
    form: dict[str, Any] = {"subject": "dossier", "dossier": dossier_ref,
                            "title": f"Tiêu đề {SCRIPT}", "question": f"Nội dung {SCRIPT}"}  # fmt: skip
    if upload is not None:
        form["attachments"] = upload
    return client.post(reverse("feedback:send"), form)


def test_markup_in_text_and_file_name_is_shown_escaped(
    staff: Staff, applicant: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    dossier = own_dossier(staff, applicant)
    pdf = SimpleUploadedFile(NAME, tiny_pdf(), content_type="text/html")
    answer = send(logged_in(applicant), dossier.ref, pdf)
    assert answer.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.attachments.get().content_type == "application/pdf"
    feedback_answer(feedback=feedback, actor=staff.specialist, answer=f"Đáp {SCRIPT}",
                    at=at("2026-03-03 10:00"))  # fmt: skip
    feedback_publish(feedback=feedback, actor=staff.specialist, at=at("2026-03-03 11:00"))
    pages = [
        logged_in(applicant).get(answer["Location"]),
        logged_in(staff.specialist).get(
            reverse("feedback:officer-detail", kwargs={"code": feedback.code})
        ),
        logged_in(staff.specialist).get(reverse("feedback:officer-list")),
        logged_in(applicant).get(reverse("feedback:mine")),
        logged_in(applicant).get(reverse("feedback:public")),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert SCRIPT not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;" in pages[-1].content.decode()


def test_a_file_that_is_not_a_pdf_or_too_big_is_refused(
    staff: Staff, applicant: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_MAX_UPLOAD_MB = 1
    dossier = own_dossier(staff, applicant)
    client = logged_in(applicant)
    fake = SimpleUploadedFile(
        "don.pdf", b"<html><script>x</script>", content_type="application/pdf"
    )
    page = send(client, dossier.ref, fake)
    assert page.status_code == 200
    assert "Chỉ nhận tệp PDF, PNG hoặc JPEG" in page.content.decode()
    big = SimpleUploadedFile(
        "to.pdf", b"%PDF-" + b"0" * (1024 * 1024), content_type="application/pdf"
    )
    page = send(client, dossier.ref, big)
    assert page.status_code == 200
    assert "Tệp quá lớn" in page.content.decode()
    assert not Feedback.objects.exists()


def test_an_attachment_lost_from_storage_is_a_404_not_a_500(
    staff: Staff, applicant: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    dossier = own_dossier(staff, applicant)
    pdf = SimpleUploadedFile("giay-hen.pdf", tiny_pdf(), content_type="application/pdf")
    send(logged_in(applicant), dossier.ref, pdf)
    feedback = Feedback.objects.get()
    attachment = feedback.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    url = reverse("feedback:mine-file", kwargs={"code": feedback.code, "pk": attachment.pk})
    client = logged_in(applicant)
    client.raise_request_exception = False
    assert client.get(url).status_code == 404


def officer_feedback_answer(client: Any, name: str, unit: str) -> tuple[int, list[str]]:
    """What the sender sees after sending feedback about the officer ``name``: the status and
    the messages or errors, the feedback's own code masked."""
    data = {"subject": "officer", "officer": name, "unit": unit, "title": "Thái độ",
            "question": "Cán bộ trả lời chậm."}  # fmt: skip
    response = client.post(reverse("feedback:send"), data, follow=True)
    page = response.content.decode()
    said = re.findall(
        r'<div class="error-summary".*?</div>|<p class="message[^"]*">.*?</p>', page, re.S
    )
    return response.status_code, [re.sub(r"PA-\d{4}-\d{6}", "PA-…", text) for text in said]


def test_the_form_does_not_tell_whether_a_user_name_is_an_officers(
    staff: Staff, applicant: User
) -> None:
    """QA (user enumeration): an officer's user name, an unknown one and a citizen's get the
    same answer, with or without the unit named."""
    client = logged_in(applicant)
    names = [staff.reception.username, "khong.co.ai", applicant.username]
    without_unit = [officer_feedback_answer(client, name, "") for name in names]
    assert without_unit[0] == without_unit[1] == without_unit[2]
    with_unit = [officer_feedback_answer(client, name, POLICE) for name in names]
    assert with_unit[0] == with_unit[1] == with_unit[2]
    assert with_unit[0][1]  # something was said (the feedback's code), the same for all
    feedback = Feedback.objects.filter(subject="officer").order_by("pk")
    assert [f.unit.code for f in feedback] == [POLICE] * 3  # each one handled by the unit named
    assert [f.officer for f in feedback] == [staff.reception, None, None]


def test_a_flood_of_feedback_from_one_account_is_refused_with_429(
    staff: Staff, applicant: User, settings: Any
) -> None:
    """QA (attacker): 40 feedbacks in 3.5 s from one account, each starting the unit's 766
    deadlines; past the hourly limit the sender gets the 429 page and nothing is created."""
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "feedback": "3/60"}
    dossier = own_dossier(staff, applicant)
    client = logged_in(applicant)
    answers = [send(client, dossier.ref).status_code for _ in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert Feedback.objects.count() == 3
    page = send(client, dossier.ref)
    assert "quá nhiều lần" in page.content.decode()

"""The citizen's rating form, the prompt on their dossier page, and the supervisors' page."""

from __future__ import annotations

import html5lib
import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.ratings.constants import Criterion
from motcua.ratings.models import Rating
from motcua.ratings.services import rating_submit
from tests import factories
from tests.dossiers.conftest import Staff, at, received

from .conftest import ALL_SATISFIED, logged_in, returned

pytestmark = pytest.mark.django_db


def assert_valid_html(page: str) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


def form_url(dossier) -> str:  # type: ignore[no-untyped-def]
    return reverse("ratings:rate", args=[dossier.ref])


def test_the_form_renders_valid_html_with_a_fieldset_per_criterion(
    staff: Staff, applicant: User
) -> None:
    response = logged_in(applicant).get(form_url(returned(staff)))
    assert response.status_code == 200
    page = response.content.decode()
    assert_valid_html(page)
    assert page.count("<fieldset") == len(Criterion)
    assert page.count("<legend>") == len(Criterion)
    assert page.count('type="radio"') == 3 * len(Criterion)
    for word in ("Hài lòng", "Bình thường", "Không hài lòng", "Thái độ của cán bộ"):
        assert word in page


def test_submitting_saves_and_returns_to_the_dossier(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    client = logged_in(applicant)
    response = client.post(form_url(dossier), {**ALL_SATISFIED, "comment": "Cảm ơn"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:my-dossier", args=[dossier.ref])
    assert Rating.objects.get(dossier=dossier).comment == "Cảm ơn"
    page = client.get(response["Location"]).content.decode()
    assert "Cảm ơn bạn đã đánh giá" in page


def test_missing_answers_are_explained_at_the_top_and_next_to_the_question(
    staff: Staff, applicant: User
) -> None:
    dossier = returned(staff)
    data = {k: v for k, v in ALL_SATISFIED.items() if k != "attitude"}
    response = logged_in(applicant).post(form_url(dossier), {**data, "time": "7"})
    assert response.status_code == 200
    page = response.content.decode()
    assert_valid_html(page)
    assert 'class="error-summary"' in page
    assert 'href="#id_attitude_0"' in page
    assert 'href="#id_time_0"' in page
    assert page.count("Chọn một mức: Hài lòng, Bình thường hoặc Không hài lòng.") == 4
    assert 'id="id_bodies_0" required checked' in page  # the valid answers are kept
    assert not Rating.objects.exists()


def test_a_too_long_comment_is_explained(staff: Staff, applicant: User) -> None:
    response = logged_in(applicant).post(
        form_url(returned(staff)), {**ALL_SATISFIED, "comment": "x" * 1001}
    )
    assert response.status_code == 200
    assert "tối đa 1000 ký tự" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_rated_dossier_shows_the_rating_read_only(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    client = logged_in(applicant)
    client.post(form_url(dossier), {**ALL_SATISFIED, "costs": "0"})
    page = client.get(form_url(dossier)).content.decode()
    assert_valid_html(page)
    assert "Bạn đã đánh giá hồ sơ này" in page
    assert '<form method="post" class="form narrow rating-form"' not in page
    again = client.post(form_url(dossier), ALL_SATISFIED, follow=True)
    assert "Mỗi hồ sơ chỉ được đánh giá một lần" in again.content.decode()
    assert Rating.objects.get().costs == 0


def test_before_the_result_is_returned_the_page_explains_when(
    staff: Staff, applicant: User
) -> None:
    dossier = factories.proven(received(staff), applicant)
    client = logged_in(applicant)
    page = client.get(form_url(dossier)).content.decode()
    assert "sau khi đã nhận kết quả" in page
    assert client.post(form_url(dossier), ALL_SATISFIED).status_code == 200
    assert not Rating.objects.exists()


def test_another_citizen_gets_404(staff: Staff, other_citizen: User) -> None:
    dossier = returned(staff)
    client = logged_in(other_citizen)
    assert client.get(form_url(dossier)).status_code == 404
    assert client.post(form_url(dossier), ALL_SATISFIED).status_code == 404
    assert not Rating.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(staff: Staff) -> None:
    response = Client().get(form_url(returned(staff)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_prompt_invites_then_thanks(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    before = render_to_string("ratings/_prompt.html", {"dossier": dossier})
    assert form_url(dossier) in before
    assert "Bạn đã đánh giá" not in before
    rating_submit(
        dossier=dossier,
        user=applicant,
        answers=ALL_SATISFIED,
        comment="",
        at=at("2026-03-03 09:00"),
    )
    dossier.refresh_from_db()
    after = render_to_string("ratings/_prompt.html", {"dossier": dossier})
    assert "Bạn đã đánh giá hồ sơ này." in after
    assert render_to_string("ratings/_prompt.html", {"dossier": received(staff)}).strip() == ""


def test_officers_see_the_rating_on_the_dossier_page(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    rating_submit(
        dossier=dossier, user=applicant, answers={**ALL_SATISFIED, "attitude": 0},
        comment="Chờ lâu", at=at("2026-03-03 09:00"),
    )  # fmt: skip
    page = logged_in(staff.leader).get(reverse("dossiers:detail", args=[dossier.ref]))
    text = page.content.decode()
    assert "Đánh giá của người nộp hồ sơ" in text
    assert "Chưa hài lòng" in text
    assert "Chờ lâu" in text


def overview(user: User, **query: str):  # type: ignore[no-untyped-def]
    return logged_in(user).get(reverse("ratings:overview"), query)


def test_the_supervisor_page_shows_aggregates_for_their_units(
    staff: Staff, applicant: User, police_supervisor: User
) -> None:
    first, second = returned(staff), returned(staff)
    rating_submit(
        dossier=first,
        user=applicant,
        answers=ALL_SATISFIED,
        comment="Tốt",
        at=at("2026-03-03 09:00"),
    )
    rating_submit(
        dossier=second, user=applicant, answers={**ALL_SATISFIED, "time": 0}, comment="",
        at=at("2026-03-04 09:00"),
    )  # fmt: skip
    response = overview(police_supervisor)
    assert response.status_code == 200
    page = response.content.decode()
    assert_valid_html(page)
    assert "<strong>2</strong> lượt đánh giá" in page
    assert "50,0%" in page
    assert "Công an phường Hoàn Kiếm" in page
    assert reverse("dossiers:detail", args=[first.ref]) in page
    assert "Tốt" in page


def test_a_leader_elsewhere_sees_no_rating_of_other_units(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    rating_submit(
        dossier=dossier,
        user=applicant,
        answers=ALL_SATISFIED,
        comment="",
        at=at("2026-03-03 09:00"),
    )
    page = overview(staff.outsider).content.decode()
    assert "<strong>0</strong> lượt đánh giá" in page
    assert dossier.code not in page


@pytest.mark.parametrize("who", ["reception", "specialist", "citizen"])
def test_counter_officers_and_citizens_get_403(staff: Staff, applicant: User, who: str) -> None:
    user = applicant if who == "citizen" else getattr(staff, who)
    assert overview(user).status_code == 403


def test_the_period_filter_by_month_and_by_dates(
    staff: Staff, applicant: User, police_supervisor: User
) -> None:
    for when in ("2026-03-10 09:00", "2026-04-02 09:00"):
        rating_submit(
            dossier=returned(staff), user=applicant, answers=ALL_SATISFIED, comment="", at=at(when)
        )
    assert (
        "<strong>1</strong> lượt" in overview(police_supervisor, month="03/2026").content.decode()
    )
    both = overview(police_supervisor, start="01/03/2026", end="02/04/2026").content.decode()
    assert "<strong>2</strong> lượt" in both
    assert (
        "<strong>1</strong> lượt"
        in overview(police_supervisor, start="01/04/2026").content.decode()
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "31/02/2026"}, "dd/mm/yyyy"),
        ({"month": "13/2026"}, "mm/yyyy"),
        ({"start": "05/03/2026", "end": "01/03/2026"}, "phải sau hoặc trùng"),
    ],
)
def test_a_bad_period_is_explained(
    police_supervisor: User, query: dict[str, str], message: str
) -> None:
    response = overview(police_supervisor, **query)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert message in page


def test_the_workspace_links_to_the_page_only_for_those_who_may_see_it(
    staff: Staff, police_supervisor: User
) -> None:
    url = reverse("ratings:overview")
    assert url in logged_in(police_supervisor).get(reverse("web:workspace")).content.decode()
    assert url not in logged_in(staff.reception).get(reverse("web:workspace")).content.decode()


def test_the_admin_lists_ratings_read_only(staff: Staff, applicant: User) -> None:
    dossier = returned(staff)
    rating = rating_submit(
        dossier=dossier,
        user=applicant,
        answers=ALL_SATISFIED,
        comment="",
        at=at("2026-03-03 09:00"),
    )
    admin = User.objects.create_superuser("quantri", "qt@example.com", "Mat-khau-quan-tri-1")
    client = logged_in(admin)
    assert client.get(reverse("admin:ratings_rating_changelist")).status_code == 200
    assert client.get(reverse("admin:ratings_rating_change", args=[rating.pk])).status_code == 200
    assert client.get(reverse("admin:ratings_rating_add")).status_code == 403


@pytest.mark.parametrize(
    "query", [{"end": "31/12/9999"}, {"start": "01/01/0001"}, {"month": "12/9999"}]
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_crashed_on(
    police_supervisor: User, query: dict[str, str]
) -> None:
    response = overview(police_supervisor, **query)
    assert response.status_code in (200, 400)
    assert "2000–2100" in response.content.decode()

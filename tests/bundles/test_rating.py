"""One rating for a whole bundle: from the bundle's page, once, only once it has its outcome; kept
on every member dossier, so each agency's ratings and the 766 figures (5.4) count it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.accounts.models import User
from motcua.bundles.constants import BundleStatus
from motcua.bundles.models import Bundle
from motcua.common.errors import NotAllowed
from motcua.ratings.constants import Criterion
from motcua.ratings.models import Rating
from motcua.ratings.selectors import rating_report
from motcua.ratings.services import (
    BundleAlreadyRated,
    BundleNotFinished,
    RateTheBundle,
    bundle_rating_submit,
    rating_submit,
)
from motcua.supervision.models import DossierFact
from motcua.supervision.rollup import catch_up
from tests import factories

from .conftest import (
    Staff,
    at,
    birth_at_counter,
    decide,
    dossier_of,
    police_and_bhxh_decide,
    refreshed,
    saga,
    signed_in,
)

pytestmark = pytest.mark.django_db

SATISFIED = {str(c): 2 for c in Criterion}
SERVICES = ("birth_registration", "permanent_residence", "health_insurance_card")


def in_progress(staff: Staff, owner: User) -> Bundle:
    bundle = birth_at_counter(staff, owner=owner)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    return refreshed(bundle)


def finish(staff: Staff, bundle: Bundle) -> Bundle:
    police_and_bhxh_decide(staff, bundle, "2026-03-02 13:00", "2026-03-03 09:00")
    saga(at("2026-03-03 11:05"))
    bundle = refreshed(bundle)
    assert bundle.status == BundleStatus.DONE
    return bundle


def test_the_citizen_rates_the_whole_bundle_once_after_it_ends(staff: Staff) -> None:
    citizen = factories.citizen()
    client = signed_in(citizen)
    bundle = in_progress(staff, citizen)
    url = reverse("ratings:rate-bundle", kwargs={"ref": bundle.ref})
    mine = reverse("bundles:mine", kwargs={"ref": bundle.ref})

    early = client.get(url).content.decode()
    assert 'id="bundle-not-finished"' in early
    assert 'id="bundle-rating"' not in client.get(mine).content.decode()
    assert client.post(url, SATISFIED).status_code == 200  # explained, nothing kept
    with pytest.raises(BundleNotFinished):
        bundle_rating_submit(bundle=bundle, user=citizen, answers=SATISFIED, comment="", at=at("2026-03-02 12:00"))  # fmt: skip
    assert not Rating.objects.exists()

    bundle = finish(staff, bundle)
    assert url in client.get(mine).content.decode()  # the page invites the rating
    done = client.post(url, {**SATISFIED, "attitude": "0", "comment": "Nhanh, nhưng phải chờ"})
    assert done.status_code == 302
    assert done["Location"] == mine
    ratings = Rating.objects.filter(bundle=bundle)
    members = {dossier_of(bundle, s).pk for s in SERVICES}
    assert set(ratings.values_list("dossier_id", flat=True)) == members  # one answer, each agency
    assert {r.attitude for r in ratings} == {0}

    again = client.post(url, SATISFIED, follow=True).content.decode()
    assert "chỉ đánh giá một lần" in again
    assert 'id="bundle-rated"' in again
    assert Rating.objects.count() == 3
    with pytest.raises(BundleAlreadyRated):
        bundle_rating_submit(bundle=bundle, user=citizen, answers=SATISFIED, comment="", at=at("2026-03-04 09:00"))  # fmt: skip
    assert "Bạn đã đánh giá hồ sơ liên thông này." in client.get(mine).content.decode()


def test_a_member_dossier_is_rated_only_with_its_bundle(staff: Staff) -> None:
    citizen = factories.citizen()
    bundle = finish(staff, in_progress(staff, citizen))
    residence = dossier_of(bundle, "permanent_residence")
    with pytest.raises(RateTheBundle):
        rating_submit(dossier=residence, user=citizen, answers=SATISFIED, comment="", at=at("2026-03-04 09:00"))  # fmt: skip
    page = signed_in(citizen).get(reverse("ratings:rate", kwargs={"ref": residence.ref}))
    assert page.status_code == 302
    assert page["Location"] == reverse("ratings:rate-bundle", kwargs={"ref": bundle.ref})
    stranger = factories.citizen("001090088888", "0911222444")
    url = reverse("ratings:rate-bundle", kwargs={"ref": bundle.ref})
    assert signed_in(stranger).get(url).status_code == 404
    with pytest.raises(NotAllowed):
        bundle_rating_submit(bundle=bundle, user=stranger, answers=SATISFIED, comment="", at=at("2026-03-04 09:00"))  # fmt: skip


def test_each_agency_and_the_766_figures_count_the_bundle_rating(staff: Staff) -> None:
    citizen = factories.citizen()
    bundle = finish(staff, in_progress(staff, citizen))
    bundle_rating_submit(
        bundle=bundle, user=citizen, answers={**SATISFIED, "time": 0}, comment="",
        at=at("2026-03-04 09:00"),
    )  # fmt: skip
    for unit in (staff.ward.unit, staff.police.unit, staff.bhxh.unit):
        report = rating_report(unit_ids={unit.pk})
        assert (report.total.count, report.total.satisfied) == (1, 0), unit.code
    catch_up()
    members = [dossier_of(bundle, s).pk for s in SERVICES]
    unsatisfied = DossierFact.objects.filter(dossier_id__in=members, unsatisfied__isnull=False)
    assert unsatisfied.count() == 3  # 766 5.4 counts each member as rated unsatisfied


def test_a_decided_member_shows_the_bundle_rating_on_the_officers_page(staff: Staff) -> None:
    citizen = factories.citizen()
    bundle = finish(staff, in_progress(staff, citizen))
    bundle_rating_submit(
        bundle=bundle, user=citizen, answers=SATISFIED, comment="", at=at("2026-03-04 09:00")
    )
    residence = dossier_of(bundle, "permanent_residence")
    assert residence.status != "returned"  # decided; the rating is read for the bundle's sake
    page = signed_in(staff.police.leader).get(reverse("dossiers:detail", args=[residence.ref]))
    text = page.content.decode()
    assert "Đánh giá của người nộp hồ sơ" in text
    assert "đánh giá chung cho cả hồ sơ liên thông" in text

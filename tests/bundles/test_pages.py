"""The bundle pages: the citizen's one form, receipt and status page; the birth declaration's
linked boxes that lead into the bundle; the counter form; each agency's member in its worklist and
on the dossier's page with the bundle around it; the Center's list with the SLA state; the one
notice when the birth registration is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.bundles.constants import BundleStatus, MemberState
from motcua.bundles.models import Bundle
from motcua.dossiers.services import dossier_forward, dossier_reject
from motcua.notifications.constants import Kind
from motcua.notifications.models import Notification
from motcua.portal.models import Draft
from tests import factories

from .conftest import (
    BIRTH,
    WARD,
    Staff,
    at,
    birth_at_counter,
    decide,
    dossier_of,
    police_and_bhxh_decide,
    receive,
    refreshed,
    saga,
    signed_in,
)

pytestmark = pytest.mark.django_db


def birth_post(**extra: str) -> dict[str, object]:
    return {
        "unit": WARD, "key": "k" + "1" * 20,
        "services": ["birth_registration", "permanent_residence", "health_insurance_card"],
        **BIRTH, **extra,
    }  # fmt: skip


# ------------------------------------------------------------------------------ citizen
def test_the_citizen_applies_once_for_three_agencies_and_follows_them_on_one_page(
    staff: Staff,
) -> None:
    citizen = factories.citizen()
    client = signed_in(citizen)
    form = client.get(reverse("bundles:apply", kwargs={"kind": "birth"}))
    assert form.status_code == 200
    page = form.content.decode()
    assert "Phạm Thị Dung" in page
    assert "001090099999" in page
    assert 'name="child_name"' in page
    assert 'name="residence_address"' in page

    response = client.post(reverse("bundles:apply", kwargs={"kind": "birth"}), birth_post())
    bundle = Bundle.objects.get(owner=citizen)
    assert response.status_code == 302
    assert response["Location"] == reverse("bundles:mine", kwargs={"ref": bundle.ref})
    assert (bundle.channel, bundle.applicant_id_number) == ("online", "001090099999")
    again = client.post(reverse("bundles:apply", kwargs={"kind": "birth"}), birth_post())
    assert again.status_code == 302
    assert Bundle.objects.filter(owner=citizen).count() == 1

    birth = receive(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 09:00"))
    decide(birth, staff.ward, at("2026-03-02 09:30"))
    saga(at("2026-03-02 11:00"))
    police_and_bhxh_decide(staff, bundle, "2026-03-02 13:00", "2026-03-02 14:00")
    saga(at("2026-03-02 16:00"))
    bundle = refreshed(bundle)
    assert bundle.status == BundleStatus.DONE

    status = client.get(reverse("bundles:mine", kwargs={"ref": bundle.ref})).content.decode()
    for service in ("birth_registration", "permanent_residence", "health_insurance_card"):
        number = bundle.members.get(service=service).result["registry"]["number"]
        assert f'result-number">{number}<' in status, service  # three results on one page
    for label in ("Số Giấy khai sinh điện tử", "Số thông báo đăng ký thường trú", "Số thẻ bảo hiểm y tế"):  # fmt: skip
        assert label in status
    assert bundle.code in status
    assert "Đã có đủ kết quả" in status
    receipt = client.get(reverse("bundles:receipt", kwargs={"ref": bundle.ref})).content.decode()
    assert bundle.code in receipt
    assert "Công an phường Hoàn Kiếm" in receipt
    mine = client.get(reverse("portal:my-dossiers")).content.decode()
    assert reverse("bundles:mine", kwargs={"ref": bundle.ref}) in mine


def test_a_missing_fact_is_refused_on_the_form_with_what_was_typed_kept(staff: Staff) -> None:
    client = signed_in(factories.citizen())
    posted = birth_post()
    posted.pop("residence_address")
    response = client.post(reverse("bundles:apply", kwargs={"kind": "birth"}), posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nơi đăng ký thường trú của trẻ" in page
    assert BIRTH["child_name"] in page
    assert not Bundle.objects.exists()
    assert client.get("/nop-lien-thong/khong-co/").status_code == 404


def test_another_account_never_sees_the_bundle(staff: Staff) -> None:
    owner = factories.citizen()
    signed_in(owner).post(reverse("bundles:apply", kwargs={"kind": "birth"}), birth_post())
    bundle = Bundle.objects.get()
    stranger = signed_in(factories.citizen("001090088888", "0911222444"))
    assert stranger.get(reverse("bundles:mine", kwargs={"ref": bundle.ref})).status_code == 404
    assert stranger.get(reverse("bundles:receipt", kwargs={"ref": bundle.ref})).status_code == 404
    withdrawn = stranger.post(reverse("bundles:withdraw", kwargs={"ref": bundle.ref}))
    assert withdrawn.status_code == 404
    assert Bundle.objects.get().status == bundle.status  # nothing changed
    # Officers of a unit with no member in the bundle, and citizens, never see its officer pages.
    outsider = signed_in(factories.officer("hn-so-tu-phap", Role.RECEPTION))
    for name in ("bundles:officer-detail", "bundles:officer-receipt"):
        url = reverse(name, kwargs={"ref": bundle.ref})
        assert outsider.get(url).status_code == 404, name
        assert stranger.get(url).status_code in (302, 403, 404), name


def test_the_birth_declarations_linked_boxes_lead_into_the_bundle_form(staff: Staff) -> None:
    citizen = factories.citizen()
    client = signed_in(citizen)
    client.post(reverse("portal:online-start", kwargs={"code": "1.001193"}))
    draft = Draft.objects.get(owner=citizen)
    url = reverse("portal:draft", kwargs={"key": draft.key})
    answer = {
        "unit": WARD, "send": "1",
        "nguoi_yeu_cau.ho_ten": "Phạm Thị Dung", "nguoi_yeu_cau.so_dinh_danh": "001090099999",
        "tre.ho_ten": "Nguyễn Minh Khang", "tre.gioi_tinh": "Nam", "tre.ngay_sinh": "20/02/2026",
        "tre.noi_sinh": "Bệnh viện Phụ sản Hà Nội", "me.ho_ten": "Phạm Thị Dung",
        "me.so_dinh_danh": "001090099999", "quan_he_voi_tre": "Mẹ", "cap_the_bhyt": "on",
    }  # fmt: skip
    routed = client.post(url, answer)
    assert routed.status_code == 302
    assert routed["Location"].startswith(reverse("bundles:apply", kwargs={"kind": "birth"}))
    form = client.get(routed["Location"]).content.decode()
    assert 'value="Nguyễn Minh Khang"' in form  # nothing retyped
    assert re.search(r'id="service-health_insurance_card"[^>]*checked', form)
    assert not re.search(r'id="service-permanent_residence"[^>]*checked', form)
    # Sending never submits a lone birth dossier while a linked box is ticked.
    review = client.post(url, answer)  # sent again, the box still ticked
    assert review.status_code == 302
    assert "nop-lien-thong" in review["Location"]
    draft.refresh_from_db()
    assert draft.dossier_id is None

    posted = {"unit": WARD, "key": "k" + "2" * 20, "nhap": str(draft.key),
              "services": ["birth_registration", "health_insurance_card"],
              **{k: v for k, v in BIRTH.items() if k != "residence_address"}}  # fmt: skip
    done = client.post(reverse("bundles:apply", kwargs={"kind": "birth"}), posted)
    assert done.status_code == 302
    assert Bundle.objects.get(owner=citizen).services == [
        "birth_registration", "health_insurance_card",
    ]  # fmt: skip
    assert not Draft.objects.filter(pk=draft.pk).exists()  # the declaration became the bundle


def test_unticked_boxes_keep_the_lone_birth_dossier(staff: Staff) -> None:
    from motcua.catalog.models import Procedure

    schema = Procedure.objects.filter(code="1.001193").first().eform_schema  # type: ignore[union-attr]
    for box in ("dang_ky_thuong_tru", "cap_the_bhyt"):
        assert schema["properties"][box]["default"] is False  # no pre-ticked promise


# ------------------------------------------------------------------------------ counter
def test_the_counter_receives_a_death_bundle_and_prints_one_receipt(staff: Staff) -> None:
    client = signed_in(staff.ward.reception)
    posted = {
        "unit": WARD, "key": "c" + "1" * 20, "name": "Lê Thị Hoa", "id_number": "001180004321",
        "phone": "0904000111", "services": ["death_registration", "residence_removal", "funeral_allowance"],
        "deceased_name": "Lê Văn Tư", "deceased_id_number": "001045001234",
        "death_date": "01/03/2026", "death_place": "Bệnh viện Bạch Mai", "relationship": "con",
        "funeral_payer": "social_insurance",
    }  # fmt: skip
    response = client.post(reverse("bundles:counter", kwargs={"kind": "death"}), posted)
    bundle = Bundle.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert bundle.code
    assert bundle.due_at
    assert bundle.channel == "counter"
    receipt = client.get(reverse("bundles:officer-receipt", kwargs={"ref": bundle.ref}))
    assert bundle.code in receipt.content.decode()
    bad = client.post(reverse("bundles:counter", kwargs={"kind": "death"}),
                      {**posted, "key": "c" + "2" * 20, "id_number": "12"})  # fmt: skip
    assert bad.status_code == 400
    assert Bundle.objects.count() == 1


def test_a_citizen_cannot_use_the_counter_form(staff: Staff) -> None:
    client = signed_in(factories.citizen())
    assert client.get(reverse("bundles:counter", kwargs={"kind": "birth"})).status_code == 403


# ------------------------------------------------------------------------------ officers
def test_each_agency_sees_its_member_with_the_bundle_around_it(staff: Staff) -> None:
    bundle = birth_at_counter(staff)
    decide(dossier_of(bundle, "birth_registration"), staff.ward, at("2026-03-02 10:00"))
    saga(at("2026-03-02 11:05"))
    bundle = refreshed(bundle)
    residence = dossier_of(bundle, "permanent_residence")
    police = signed_in(staff.police.reception)
    worklist = police.get(reverse("dossiers:worklist"), {"tab": "to_receive"}).content.decode()
    assert "bundle-badge" in worklist
    assert bundle.code in worklist
    assert "health_insurance_card (hn-bhxh)" in worklist  # the other members' state
    detail = police.get(reverse("dossiers:detail", kwargs={"ref": residence.ref})).content.decode()
    assert 'id="bundle-panel"' in detail
    assert BIRTH["child_name"] in detail
    number = bundle.members.get(service="birth_registration").result["registry"]["number"]
    assert number in detail  # the e-birth certificate number carried over
    listing = police.get(reverse("bundles:officer-list")).content.decode()
    assert bundle.code in listing


def test_the_center_sees_every_bundle_with_its_sla_state(staff: Staff) -> None:
    birth_at_counter(staff)
    late = birth_at_counter(staff, when="2026-03-02 10:00")
    Bundle.objects.filter(pk=late.pk).update(statutory_due_at=at("2026-03-02 11:00"))
    center = signed_in(factories.officer("hn-pvhcc", Role.SUPERVISOR))
    from motcua.common.clock import clock_set_to

    with clock_set_to(at("2026-03-02 12:00")):
        page = center.get(reverse("bundles:officer-list"), {"kind": "birth"}).content.decode()
    assert page.count('data-sla="late"') == 1
    assert page.count('data-sla="on_time"') == 1
    outsider = signed_in(factories.officer("hn-so-tu-phap", Role.RECEPTION))
    assert (
        "Chưa có hồ sơ liên thông" in outsider.get(reverse("bundles:officer-list")).content.decode()
    )
    detail = center.get(reverse("bundles:officer-detail", kwargs={"ref": late.ref}))
    assert detail.status_code == 200
    assert "Quá hạn" in detail.content.decode()


# ------------------------------------------------------------------------------ notice
def test_a_refused_birth_registration_sends_the_applicant_one_notice(
    staff: Staff, settings: Any
) -> None:
    settings.MOTCUA_NOTIFY_MAX_AGE_HOURS = 0  # the test's March events are news, not history
    bundle = birth_at_counter(staff)
    birth = dossier_forward(dossier=dossier_of(bundle, "birth_registration"),
                            actor=staff.ward.specialist, at=at("2026-03-02 10:00"))  # fmt: skip
    dossier_reject(dossier=birth, actor=staff.ward.leader, at=at("2026-03-02 11:00"),
                   reason="Giấy chứng sinh không hợp lệ")  # fmt: skip
    saga(at("2026-03-02 11:05"))
    saga(at("2026-03-02 11:10"))
    notices = Notification.objects.filter(kind=Kind.BUNDLE_STOPPED)
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "sms"]
    # One notice: the refused birth registration sends no message of its own besides it.
    assert not Notification.objects.filter(dossier=birth, kind=Kind.RESULT_READY).exists()
    email = notices.get(channel="email")
    assert "Giấy chứng sinh không hợp lệ" in email.body
    assert "Đăng ký thường trú" in email.body
    assert "thẻ bảo hiểm y tế" in email.body
    assert (
        refreshed(bundle).members.get(service="permanent_residence").state == MemberState.CANCELLED
    )

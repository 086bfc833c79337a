"""Public lookup without login, and a citizen's own dossiers (never another person's)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers import services as s
from motcua.dossiers.services.processing import transfer_targets
from tests import factories
from tests.dossiers.conftest import Staff, at, received, submitted

pytestmark = pytest.mark.django_db
NOT_FOUND = "Không tìm thấy hồ sơ khớp với thông tin đã nhập"


def look(code: str, digits: str, ip: str = "10.9.9.9"):
    return Client().post(reverse("portal:lookup"), {"code": code, "digits": digits}, REMOTE_ADDR=ip)


def test_lookup_with_the_last_four_id_digits(staff: Staff) -> None:
    dossier = received(staff)
    page = look(dossier.code, "2345").content.decode()
    assert "Đã tiếp nhận — hẹn trả ngày 11/03/2026" in page
    assert staff.reception.username not in page  # no officer names for the public


def test_the_answer_names_the_procedure_in_either_language(staff: Staff) -> None:
    """The facts' label is the procedure (singular), not the menu's "Procedures"."""
    dossier = received(staff)
    assert "<dt>Tên thủ tục</dt>" in look(dossier.code, "2345").content.decode()
    english = Client()
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = english.post(reverse("portal:lookup"), {"code": dossier.code, "digits": "2345"})
    html = page.content.decode()
    assert "<dt>Procedure</dt>" in html
    assert "<dt>Procedures</dt>" not in html


def test_lookup_with_the_last_four_phone_digits(staff: Staff) -> None:
    dossier = s.dossier_submit(
        procedure=submitted(staff).procedure, receiving_unit=submitted(staff).receiving_unit,
        applicant=s.Applicant("Trần Thị Bình", "001195006789", phone="0987654321"), channel="counter",
        at=at("2026-03-02 09:00"), actor=staff.reception,
    )  # fmt: skip
    dossier = s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:00"))
    assert "Đã tiếp nhận" in look(dossier.code, "4321").content.decode()


@pytest.mark.parametrize(("code", "digits"), [("WRONG-CODE", "2345"), (None, "9999"), (None, "12")])
def test_a_wrong_code_or_wrong_digits_get_the_same_answer(
    staff: Staff, code: str | None, digits: str
) -> None:
    dossier = received(staff)
    response = look(code or dossier.code, digits)
    assert response.status_code == 200
    assert NOT_FOUND in response.content.decode()


def test_guessing_is_throttled_per_address_and_code(staff: Staff) -> None:
    dossier = received(staff)
    for guess in range(5):
        look(dossier.code, f"{guess:04d}", ip="10.0.0.1")
    blocked = look(dossier.code, "2345", ip="10.0.0.1")  # even the right digits now
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.content.decode()
    assert int(blocked["Retry-After"]) > 0
    assert look(dossier.code, "2345", ip="10.0.0.99").status_code == 200  # not its owner


def test_guesses_count_per_dossier_whichever_name_is_typed(staff: Staff) -> None:
    dossier = received(staff)
    for guess in range(5):
        name = dossier.code if guess % 2 else dossier.ref
        look(name, f"{guess:04d}", ip="10.0.1.1")
    assert look(dossier.ref, "2345", ip="10.0.1.1").status_code == 429
    assert look(dossier.code, "2345", ip="10.0.1.1").status_code == 429


def test_the_receipt_qr_link_prefills_the_code(staff: Staff) -> None:
    dossier = received(staff)
    page = Client().get(reverse("portal:lookup"), {"ma": dossier.code}).content.decode()
    assert f'value="{dossier.code}"' in page


def test_a_citizen_sees_their_own_dossiers_only(staff: Staff) -> None:
    owner = factories.citizen(id_number="001090012345")
    stranger = factories.citizen(id_number="001195006789", phone="0900000001")
    dossier = factories.proven(received(staff), owner)  # filed with 001090012345, proved
    mine = Client()
    mine.force_login(owner)
    assert dossier.code in mine.get(reverse("portal:my-dossiers")).content.decode()
    assert mine.get(reverse("portal:my-dossier", args=[dossier.ref])).status_code == 200
    theirs = Client()
    theirs.force_login(stranger)
    assert dossier.code not in theirs.get(reverse("portal:my-dossiers")).content.decode()
    assert theirs.get(reverse("portal:my-dossier", args=[dossier.ref])).status_code == 404
    assert theirs.get(reverse("portal:my-dossier", args=[dossier.code])).status_code == 404
    assert (
        theirs.get(reverse("dossiers:detail", args=[dossier.ref])).status_code == 403
    )  # officer page


def test_the_history_names_the_unit_a_dossier_was_transferred_to(staff: Staff) -> None:
    """The one line of the history that names a unit (read by code with the answer), beside
    lines that name none."""
    dossier = received(staff)
    target = transfer_targets(dossier).first()
    assert target is not None
    dossier = s.dossier_transfer(
        dossier=dossier, actor=staff.reception, at=at("2026-03-02 10:00"), to_unit=target
    )
    page = look(dossier.code, "2345").content.decode()
    assert f"Hồ sơ được chuyển tới {target.name} để giải quyết" in page
    assert "Hồ sơ được tiếp nhận" in page


def test_the_citizen_is_told_what_is_waited_for(staff: Staff) -> None:
    owner = factories.citizen(id_number="001090012345")
    dossier = s.dossier_request_supplement(
        dossier=factories.proven(received(staff), owner),
        actor=staff.specialist,
        at=at("2026-03-03 09:00"),
        reason="Giấy tờ chứng minh chỗ ở",
    )
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("portal:my-dossier", args=[dossier.ref])).content.decode()
    assert "Đang chờ bạn bổ sung giấy tờ" in page
    assert "Giấy tờ chứng minh chỗ ở" in page


def test_a_citizen_withdraws_their_dossier_before_a_decision(staff: Staff) -> None:
    owner = factories.citizen(id_number="001090012345")
    dossier = factories.proven(received(staff), owner)
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("portal:my-dossier", args=[dossier.ref])).content.decode()
    assert "Rút hồ sơ" in page
    unconfirmed = client.post(
        reverse("portal:withdraw", args=[dossier.ref]),
        {"version": dossier.version, "reason": "Không cần nữa"},
        follow=True,
    )
    assert "Hãy đánh dấu xác nhận" in unconfirmed.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == "received"
    response = client.post(
        reverse("portal:withdraw", args=[dossier.ref]),
        {"version": dossier.version, "reason": "Không cần nữa", "confirm": "on"},
        follow=True,
    )
    assert "Đã dừng giải quyết" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == "stopped"


def test_a_stranger_cannot_withdraw(staff: Staff) -> None:
    stranger = factories.citizen(id_number="001195006789", phone="0900000001")
    dossier = received(staff)
    client = Client()
    client.force_login(stranger)
    assert (
        client.post(
            reverse("portal:withdraw", args=[dossier.ref]), {"version": dossier.version}
        ).status_code
        == 404
    )
    dossier.refresh_from_db()
    assert dossier.status == "received"

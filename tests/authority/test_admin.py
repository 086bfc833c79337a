"""The Django admin enters delegations under the same rules, in Vietnamese, dates dd/mm/yyyy;
every change is recorded and nothing is deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import User
from motcua.authority.constants import DelegationChangeAction, DelegationKind
from motcua.authority.models import Delegation, DelegationChange

from .conftest import WARD_ISSUER, WardStaff, day, delegate_signing, officer

pytestmark = pytest.mark.django_db
ADD = "/quan-tri/authority/delegation/add/"


@pytest.fixture
def admin_client(db: None) -> tuple[Client, User]:
    admin = User.objects.create_superuser("sieuquantri", "qt@example.com", "Mat-khau-thu-1")
    client = Client()
    client.force_login(admin)
    return client, admin


def form(ward: WardStaff, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": DelegationKind.SIGN_FOR, "delegator_unit": ward.unit.pk,
        "delegator_position": "Chủ tịch", "delegate": ward.deputy.pk,
        "delegate_position": "Phó Chủ tịch", "delegate_unit": "", "procedure_codes": "1.001193",
        "decision_number": "15/QĐ-UBND", "decision_date": "01/03/2026",
        "decision_issuer": WARD_ISSUER, "valid_from": "05/03/2026", "valid_until": "",
        "note": "", "_save": "Lưu",
    }  # fmt: skip
    values.update(changes)
    return values


def test_a_delegation_entered_in_the_admin_is_stored_and_recorded(
    ward: WardStaff, admin_client: tuple[Client, User]
) -> None:
    client, admin = admin_client
    page = client.get(ADD)
    assert page.status_code == 200
    assert "Căn cứ và thời hạn" in page.content.decode()
    response = client.post(ADD, form(ward, procedure_codes="1.001193, 1.004873"))
    assert response.status_code == 302, response.content.decode()[:3000]
    delegation = Delegation.objects.get()
    assert delegation.valid_from == day("2026-03-05")  # day first, never month first
    assert delegation.procedure_codes == ["1.001193", "1.004873"]
    change = DelegationChange.objects.get(delegation=delegation)
    assert (change.action, change.actor) == (DelegationChangeAction.CREATED, admin)
    assert change.snapshot["decision_number"] == "15/QĐ-UBND"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"valid_until": "01/03/2026"},
            "Ngày hết hiệu lực (01/03/2026) không được trước ngày bắt đầu hiệu lực (05/03/2026).",
        ),
        ({"valid_from": "2026/03/05"}, "Ngày phải có dạng dd/mm/yyyy, ví dụ 05/03/2026."),
        ({"procedure_codes": "1.001193 9.999999"}, "Không có thủ tục mã 9.999999 trong danh mục."),
        ({"delegate": ""}, "Cần chọn cán bộ được giao ký"),
        (
            {"kind": DelegationKind.DEVOLUTION, "delegate": ""},
            "Phân cấp phải chỉ rõ đơn vị nhận thẩm quyền giải quyết.",
        ),
    ],
)
def test_the_admin_says_what_is_wrong_in_vietnamese(
    ward: WardStaff, admin_client: tuple[Client, User], changes: dict[str, Any], message: str
) -> None:
    client, _admin = admin_client
    response = client.post(ADD, form(ward, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Delegation.objects.exists()


def test_the_admin_refuses_a_deputy_of_another_unit_and_an_overlap(
    ward: WardStaff, admin_client: tuple[Client, User]
) -> None:
    client, _admin = admin_client
    stranger = officer("hn-so-tu-phap", Role.LEADER, title="Phó Giám đốc", name="Đỗ Văn Khách")
    response = client.post(ADD, form(ward, delegate=stranger.pk))
    assert "Đỗ Văn Khách không giữ chức vụ nào tại Phường Hoàn Kiếm" in response.content.decode()
    delegate_signing(ward, start="2026-03-01")
    response = client.post(ADD, form(ward, decision_number="16/QĐ-UBND"))
    assert response.status_code == 200
    assert "Trùng thời gian và thủ tục với ủy quyền theo Quyết định số 15/QĐ-UBND" in (
        response.content.decode()
    )
    assert Delegation.objects.count() == 1


def test_a_delegation_is_ended_in_the_admin_never_deleted(
    ward: WardStaff, admin_client: tuple[Client, User]
) -> None:
    client, _admin = admin_client
    delegation = delegate_signing(ward)
    url = f"/quan-tri/authority/delegation/{delegation.pk}/"
    assert client.get(url + "delete/").status_code == 403
    response = client.post(
        url + "change/",
        form(ward, valid_from="01/03/2026", valid_until="31/03/2026", procedure_codes=""),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    delegation.refresh_from_db()
    assert delegation.valid_until == day("2026-03-31")
    assert list(
        DelegationChange.objects.filter(delegation=delegation)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [DelegationChangeAction.CREATED, DelegationChangeAction.CHANGED]

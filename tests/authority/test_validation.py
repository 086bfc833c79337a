"""Every rule a delegation keeps, with the Vietnamese message the person entering it reads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.authority.constants import DelegationChangeAction, DelegationKind
from motcua.authority.models import DelegationChange
from motcua.authority.services import (
    DelegationData,
    DelegationInvalid,
    delegation_create,
    delegation_end,
    delegation_problems,
)
from motcua.common.clock import now

from .conftest import WARD_ISSUER, WardStaff, day, delegate_signing, field_named, officer, unit

pytestmark = pytest.mark.django_db


def data(ward: WardStaff, **changes: Any) -> DelegationData:
    values: dict[str, Any] = {
        "kind": DelegationKind.SIGN_FOR, "delegator_unit": ward.unit,
        "delegator_position": "Chủ tịch", "delegate": ward.deputy,
        "delegate_position": "Phó Chủ tịch", "decision_number": "15/QĐ-UBND",
        "decision_date": day("2026-03-01"), "decision_issuer": WARD_ISSUER,
        "valid_from": day("2026-03-01"),
    }  # fmt: skip
    values.update(changes)
    return DelegationData(**values)


def messages(problems: dict[str | None, list[str]], key: str | None) -> str:
    return " | ".join(problems.get(key, []))


def test_a_sound_delegation_has_no_problem(ward: WardStaff) -> None:
    assert delegation_problems(data(ward)) == {}


def test_the_end_may_not_come_before_the_start(ward: WardStaff) -> None:
    problems = delegation_problems(
        data(ward, valid_from=day("2026-03-05"), valid_until=day("2026-03-01"))
    )
    assert messages(problems, "valid_until") == (
        "Ngày hết hiệu lực (01/03/2026) không được trước ngày bắt đầu hiệu lực (05/03/2026)."
    )


def test_a_delegation_is_not_in_force_before_its_decision(ward: WardStaff) -> None:
    problems = delegation_problems(data(ward, decision_date=day("2026-03-10")))
    assert "Quyết định ban hành ngày 10/03/2026" in messages(problems, "valid_from")


def test_unknown_procedure_codes_are_named(ward: WardStaff) -> None:
    problems = delegation_problems(data(ward, procedure_codes=("1.001193", "9.999999")))
    assert messages(problems, "procedure_codes") == "Không có thủ tục mã 9.999999 trong danh mục."


def test_a_deputy_who_holds_no_role_in_the_unit_may_not_sign_for_its_head(ward: WardStaff) -> None:
    stranger = officer("hn-so-tu-phap", Role.LEADER, title="Phó Giám đốc", name="Đỗ Văn Khách")
    problems = delegation_problems(data(ward, delegate=stranger))
    assert messages(problems, "delegate") == (
        "Đỗ Văn Khách không giữ chức vụ nào tại Phường Hoàn Kiếm trong thời gian ủy quyền: "
        "chỉ giao ký cho cán bộ của đơn vị (Nghị định 30/2020/NĐ-CP, Điều 13)."
    )


def test_a_role_that_ended_before_the_delegation_does_not_count(ward: WardStaff) -> None:
    role = ward.deputy.officer_roles.get()
    role.valid_until = datetime.date(2026, 2, 28)
    role.save()
    assert "không giữ chức vụ nào" in messages(delegation_problems(data(ward)), "delegate")


def test_signing_needs_a_person_and_devolution_needs_a_unit(ward: WardStaff) -> None:
    assert "Cần chọn cán bộ được giao ký" in messages(
        delegation_problems(data(ward, delegate=None)), "delegate"
    )
    devolution = data(ward, kind=DelegationKind.DEVOLUTION, delegate=None, delegate_position="")
    assert messages(delegation_problems(devolution), "delegate_unit") == (
        "Phân cấp phải chỉ rõ đơn vị nhận thẩm quyền giải quyết."
    )
    to_itself = data(ward, kind=DelegationKind.DEVOLUTION, delegate=None, delegate_unit=ward.unit)
    assert messages(delegation_problems(to_itself), "delegate_unit") == (
        "Đơn vị nhận phân cấp phải khác đơn vị giao."
    )
    to_a_person = data(
        ward, kind=DelegationKind.DEVOLUTION, delegate_unit=unit("hn-cong-an-phuong-hoan-kiem")
    )
    assert "không cho một người" in messages(delegation_problems(to_a_person), "delegate")


def test_kt_is_for_deputies_and_tuq_needs_the_signers_title(ward: WardStaff) -> None:
    not_deputy = delegation_problems(data(ward, delegate_position="Chánh Văn phòng"))
    assert "Ký thay (KT.) dành cho cấp phó" in messages(not_deputy, "delegate_position")
    clerk = officer("hn-phuong-hoan-kiem", Role.SPECIALIST)
    tuq = data(ward, kind=DelegationKind.BY_AUTHORISATION, delegate=clerk, delegate_position="")
    assert messages(delegation_problems(tuq), "delegate_position") == (
        "Cần ghi chức vụ người ký, ví dụ “Chánh Văn phòng”."
    )
    tuq = data(
        ward, kind=DelegationKind.BY_AUTHORISATION, delegate=clerk,
        delegate_position="Chánh Văn phòng",
    )  # fmt: skip
    assert delegation_problems(tuq) == {}


def test_kt_names_no_other_unit(ward: WardStaff) -> None:
    problems = delegation_problems(data(ward, delegate_unit=unit("hn-so-tu-phap")))
    assert "đơn vị được giao phải để trống hoặc là Phường Hoàn Kiếm" in messages(
        problems, "delegate_unit"
    )


def test_overlapping_delegations_for_the_same_signer_are_refused(ward: WardStaff) -> None:
    delegate_signing(ward, start="2026-03-01", end="2026-03-31", fields=[field_named("Hộ tịch")])
    overlap = data(ward, decision_number="16/QĐ-UBND", valid_from=day("2026-03-15"),
                   decision_date=day("2026-03-15"), procedure_codes=("1.001193",))  # fmt: skip
    assert messages(delegation_problems(overlap), None) == (
        "Trùng thời gian và thủ tục với ủy quyền theo Quyết định số 15/QĐ-UBND "
        "(từ 01/03/2026 đến 31/03/2026) cho cùng cán bộ."
    )
    later = data(ward, valid_from=day("2026-04-01"), decision_date=day("2026-04-01"))
    assert delegation_problems(later) == {}
    other_field = data(ward, fields=(field_named("Chứng thực"),))
    assert delegation_problems(other_field) == {}


def test_two_deputies_may_sign_for_the_same_procedures(ward: WardStaff) -> None:
    delegate_signing(ward)
    second = officer("hn-phuong-hoan-kiem", Role.LEADER, title="Phó Chủ tịch")
    assert delegation_problems(data(ward, delegate=second)) == {}


def test_one_procedure_cannot_be_devolved_to_two_units_at_once(ward: WardStaff) -> None:
    first = data(
        ward, kind=DelegationKind.DEVOLUTION, delegate=None, delegate_position="",
        delegate_unit=unit("hn-cong-an-phuong-hoan-kiem"), procedure_codes=("1.001193",),
    )  # fmt: skip
    delegation_create(data=first, actor=None, at=now())
    second = data(
        ward, kind=DelegationKind.DEVOLUTION, delegate=None, delegate_position="",
        delegate_unit=unit("hn-phuong-ba-dinh"), fields=(field_named("Hộ tịch"),),
        decision_number="17/QĐ-UBND",
    )  # fmt: skip
    assert "mỗi thủ tục chỉ có một đơn vị giải quyết" in messages(delegation_problems(second), None)
    with pytest.raises(DelegationInvalid):
        delegation_create(data=second, actor=None, at=now())


def test_ending_a_delegation_is_recorded_and_never_before_its_start(ward: WardStaff) -> None:
    delegation = delegate_signing(ward)
    with pytest.raises(DelegationInvalid) as caught:
        delegation_end(delegation=delegation, last_day=day("2026-02-01"), actor=None, at=now())
    assert "không được trước ngày bắt đầu hiệu lực" in str(caught.value.message)
    delegation_end(delegation=delegation, last_day=day("2026-03-31"), actor=ward.chairman, at=now())
    delegation.refresh_from_db()
    assert delegation.valid_until == day("2026-03-31")
    actions = list(
        DelegationChange.objects.filter(delegation=delegation)
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [
        (DelegationChangeAction.CREATED, None),
        (DelegationChangeAction.ENDED, ward.chairman.pk),
    ]

"""How the signature block reads, kind by kind (Decree 30/2020/NĐ-CP art. 13 and Annex I).

The expected blocks are written out by hand, as a clerk would type them under a decision."""

from __future__ import annotations

import pytest

from motcua.authority.constants import DelegationKind
from motcua.authority.signature import (
    OWN_NAME,
    SIGNATURE_RULES,
    chairman_decides,
    signature_lines,
    unit_head,
)
from motcua.catalog.models import Procedure
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

WARD = {"collective": "Ủy ban nhân dân", "head_position": "Chủ tịch"}
DEPARTMENT = {"collective": "", "head_position": "Giám đốc"}

TABLE = [
    # (kind, who signs in which body, the signer's own title, the lines of the block)
    (OWN_NAME, WARD, "", ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")),
    (OWN_NAME, WARD, "Chủ tịch", ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")),
    (OWN_NAME, DEPARTMENT, "Giám đốc", ("GIÁM ĐỐC",)),
    (DelegationKind.SIGN_FOR, WARD, "Phó Chủ tịch", ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")),
    (DelegationKind.SIGN_FOR, DEPARTMENT, "Phó Giám đốc", ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")),
    (DelegationKind.BY_ORDER, WARD, "Chánh Văn phòng", ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG")),
    (DelegationKind.BY_ORDER, DEPARTMENT, "Chánh Văn phòng", ("TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG")),
    (DelegationKind.BY_AUTHORISATION, WARD, "Chánh Văn phòng", ("TUQ. CHỦ TỊCH", "CHÁNH VĂN PHÒNG")),
    (DelegationKind.BY_AUTHORISATION, DEPARTMENT, "Trưởng phòng Hành chính", ("TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG HÀNH CHÍNH")),
    # Phân cấp: the unit that received the competence decides in its own name.
    (DelegationKind.DEVOLUTION, DEPARTMENT, "Giám đốc", ("GIÁM ĐỐC",)),
    (DelegationKind.DEVOLUTION, WARD, "", ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "body", "title", "expected"), TABLE)
def test_each_kind_reads_as_the_decree_shows(
    kind: str, body: dict[str, str], title: str, expected: tuple[str, ...]
) -> None:
    assert signature_lines(kind, signer_position=title, **body) == expected


def test_every_kind_of_delegation_has_a_rule() -> None:
    assert set(DelegationKind.values) | {OWN_NAME} == set(SIGNATURE_RULES)
    assert {kind for kind, *_rest in TABLE} == set(SIGNATURE_RULES)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("Phường Hoàn Kiếm", UnitKind.WARD, ("Ủy ban nhân dân", "Chủ tịch")),
        ("Xã Sóc Sơn", UnitKind.COMMUNE, ("Ủy ban nhân dân", "Chủ tịch")),
        ("Ủy ban nhân dân thành phố Hà Nội", UnitKind.CITY_COMMITTEE, ("Ủy ban nhân dân", "Chủ tịch")),
        ("Chủ tịch Ủy ban nhân dân thành phố Hà Nội", UnitKind.CITY_COMMITTEE, ("", "Chủ tịch")),
        ("Sở Tư pháp thành phố Hà Nội", UnitKind.DEPARTMENT, ("", "Giám đốc")),
        ("Văn phòng Ủy ban nhân dân thành phố Hà Nội", UnitKind.DEPARTMENT, ("", "Chánh Văn phòng")),
        ("Công an phường Hoàn Kiếm", UnitKind.COMMUNE_POLICE, ("", "Trưởng Công an")),
        ("Công an thành phố Hà Nội", UnitKind.CENTRAL_AGENCY, ("", "Giám đốc")),
        ("Thuế thành phố Hà Nội", UnitKind.CENTRAL_AGENCY, ("", "Thủ trưởng cơ quan")),
    ],
)  # fmt: skip
def test_who_heads_a_unit(name: str, kind: str, expected: tuple[str, str]) -> None:
    head = unit_head(Unit(name=name, kind=kind))
    assert (head.collective, head.position) == expected


def test_a_procedure_the_chairman_decides_personally_is_signed_without_tm() -> None:
    chairman = Procedure(executing_bodies=["Chủ tịch Ủy ban nhân dân cấp xã"])
    committee = Procedure(executing_bodies=["Ủy ban nhân dân cấp xã"])
    both = Procedure(executing_bodies=["Chủ tịch UBND cấp xã", "Ủy ban nhân dân cấp xã"])
    ward = Unit(name="Phường Hoàn Kiếm", kind=UnitKind.WARD)
    assert chairman_decides(chairman)
    assert not chairman_decides(committee)
    assert not chairman_decides(both)
    assert unit_head(ward, chairman).collective == ""
    assert unit_head(ward, committee).collective == "Ủy ban nhân dân"

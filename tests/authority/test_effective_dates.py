"""A delegation is in force from its first day to its last, both included, in Hà Nội time:
before and after, there is none, and only the head signs, in his own name."""

from __future__ import annotations

import pytest

from motcua.authority.signature import signature_block, signer_check
from motcua.common.errors import NotAllowed
from motcua.dossiers.constants import Action

from .conftest import BIRTH, WardStaff, at, birth_at_signing, delegate_signing, perform, procedure

pytestmark = pytest.mark.django_db
OWN = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
KT = ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")


@pytest.mark.parametrize(
    ("moment", "in_force"),
    [
        ("2026-03-04 23:30", False),  # the evening before the first day
        ("2026-03-05 00:30", True),  # the first day in Hà Nội (still 4 March in UTC)
        ("2026-03-10 23:30", True),  # the last day, included
        ("2026-03-11 08:00", False),  # the day after
    ],
)
def test_a_delegation_holds_from_its_first_to_its_last_day(
    ward: WardStaff, moment: str, in_force: bool
) -> None:
    delegate_signing(ward, start="2026-03-05", end="2026-03-10")
    birth = procedure(BIRTH)
    block = signature_block(unit=ward.unit, procedure=birth, signer=ward.deputy, at=at(moment))
    assert (block.lines == KT) is in_force
    assert (block.delegation is not None) is in_force
    if in_force:
        assert signer_check(
            unit_id=ward.unit.pk, signer=ward.deputy, procedure=birth, at=at(moment)
        )
    else:
        with pytest.raises(NotAllowed):
            signer_check(unit_id=ward.unit.pk, signer=ward.deputy, procedure=birth, at=at(moment))
    chairman = signature_block(unit=ward.unit, procedure=birth, signer=ward.chairman, at=at(moment))
    assert (chairman.lines, chairman.name, chairman.basis) == (OWN, "Trần Văn Chính", ())


def test_before_the_delegation_the_deputy_is_refused_and_the_chairman_signs_himself(
    ward: WardStaff,
) -> None:
    delegate_signing(ward, start="2026-03-05", end="2026-03-10")
    dossier = birth_at_signing(ward, "2026-03-03 09:00")
    with pytest.raises(NotAllowed):
        perform(Action.APPROVE, dossier, ward.deputy, "2026-03-04 10:00", reason="Đồng ý")
    dossier = perform(Action.APPROVE, dossier, ward.chairman, "2026-03-04 10:00", reason="Đồng ý")
    signature = dossier.issued_documents.get(kind="decision").facts["signature"]
    assert signature["lines"] == list(OWN)
    assert signature["name"] == "Trần Văn Chính"
    assert signature["delegation"] is None
    assert "delegation" not in dossier.events.get(action=Action.APPROVE).payload


def test_after_the_delegation_ends_the_deputy_is_refused(ward: WardStaff) -> None:
    delegate_signing(ward, start="2026-03-01", end="2026-03-10")
    dossier = birth_at_signing(ward, "2026-03-10 09:00")
    with pytest.raises(NotAllowed):
        perform(Action.APPROVE, dossier, ward.deputy, "2026-03-11 09:00", reason="Đồng ý")


def test_a_document_keeps_the_block_of_the_day_it_was_signed(ward: WardStaff) -> None:
    delegation = delegate_signing(ward, start="2026-03-01")
    dossier = perform(
        Action.APPROVE, birth_at_signing(ward), ward.deputy, "2026-03-02 14:00", reason="Đồng ý"
    )
    decision = dossier.issued_documents.get(kind="decision")
    delegation.delegate_position = "Phó Chủ tịch thường trực"
    delegation.save()
    decision.refresh_from_db()
    assert decision.facts["signature"]["lines"] == list(KT)

"""The demo shows a KT. signature at Phường Hoàn Kiếm out of the box."""

from __future__ import annotations

import pytest

from motcua.accounts.demo import demo_accounts_ensure
from motcua.accounts.models import User
from motcua.authority.demo import demo_delegations_ensure
from motcua.authority.models import Delegation
from motcua.dossiers.constants import Action

from .conftest import WardStaff, birth_at_signing, perform

pytestmark = pytest.mark.django_db


def test_the_demo_deputy_signs_kt_at_phuong_hoan_kiem(ward: WardStaff) -> None:
    demo_accounts_ensure(password="Demo-Mat-Khau-1")
    assert len(demo_delegations_ensure()) == 1
    assert len(demo_delegations_ensure()) == 1  # idempotent
    assert Delegation.objects.count() == 1
    deputy = User.objects.get(username="hoankiem.phochutich")
    dossier = perform(
        Action.APPROVE, birth_at_signing(ward), deputy, "2026-03-02 14:00", reason="Đồng ý"
    )
    signature = dossier.issued_documents.get(kind="decision").facts["signature"]
    assert signature["lines"] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert signature["name"] == "Nguyễn Thu Hà"
    assert "01/QĐ-UBND" in signature["basis"][0]

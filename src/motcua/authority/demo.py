"""The demo's delegation: at Phường Hoàn Kiếm the Chairman has a deputy sign for him (KT.), so a
decision there reads "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH". Sample data: the
decision number is made up. Idempotent."""

from __future__ import annotations

import datetime

from django.db import transaction

from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.organizations.models import Unit

from .constants import DelegationKind
from .models import Delegation
from .services import DelegationData, delegation_create

WARD = "hn-phuong-hoan-kiem"
DEPUTY = "hoankiem.phochutich"
DECISION_NUMBER = "01/QĐ-UBND (dữ liệu mẫu)"


def demo_delegations_ensure() -> list[Delegation]:
    """Record the demo delegation if its ward and deputy exist and it is not there yet."""
    ward = Unit.objects.filter(code=WARD).first()
    deputy = User.objects.filter(username=DEPUTY).first()
    if ward is None or deputy is None:
        return []
    with transaction.atomic():
        existing = Delegation.objects.filter(delegator_unit=ward, decision_number=DECISION_NUMBER)
        if existing.exists():
            return list(existing)
        data = DelegationData(
            kind=DelegationKind.SIGN_FOR, delegator_unit=ward, delegator_position="Chủ tịch",
            delegate=deputy, delegate_position="Phó Chủ tịch", decision_number=DECISION_NUMBER,
            decision_date=datetime.date(2025, 7, 1),
            decision_issuer="Chủ tịch Ủy ban nhân dân phường Hoàn Kiếm",
            valid_from=datetime.date(2025, 7, 1),
            note="Phân công Phó Chủ tịch ký thay Chủ tịch các thủ tục hành chính của phường.",
        )  # fmt: skip
        return [delegation_create(data=data, actor=None, at=now())]

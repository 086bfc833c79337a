"""The access log: every time an officer reads a citizen's dossier or downloads one of its
files, one line records who, when, what and on what grounds. The applicant sees it."""

from __future__ import annotations

from motcua.accounts import permissions
from motcua.accounts.models import User
from motcua.common.clock import now
from motcua.common.prepared import PreparedInsert

from .models import Dossier, DossierAccess
from .selectors import party_unit_ids, visibility_basis


def access_record(
    *, user: User, dossier: Dossier, what: str, item: str = "", via: str = "web"
) -> None:
    parties = party_unit_ids(dossier)
    roles = permissions.active_roles(user)
    unit = next((r.unit for r in roles if r.unit_id in parties), roles[0].unit if roles else None)
    ACCESS_INSERT(
        dossier=dossier, user=user, user_name=user.get_full_name()[:150],
        unit_name=unit.name[:255] if unit else "", at=now(), what=what, item=item[:255],
        basis=visibility_basis(user, dossier), via=via,
    )  # fmt: skip


# One line per read of a dossier: compiled once (``common.prepared``).
ACCESS_INSERT = PreparedInsert(DossierAccess)


def accesses_for_applicant(dossier: Dossier, limit: int = 200) -> list[DossierAccess]:
    return list(dossier.accesses.order_by("-at", "-pk")[:limit])

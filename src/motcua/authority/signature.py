"""The signature block of a decision: who signs, with which title, under which delegation.

Decree 30/2020/NĐ-CP on clerical work (công tác văn thư), art. 8(2)(g) — "chức vụ, họ tên và
chữ ký của người có thẩm quyền" is part of every administrative document — and art. 13: the
head signs everything; a body led by a collective signs "TM." (thay mặt) the collective; a
deputy signs "KT." (ký thay) the head; the head of a unit within the body signs "TL." (thừa
lệnh) or, by a written, time-limited authorisation, "TUQ." (thừa ủy quyền). Annex I of the
decree shows how the lines stand. ``signature_lines`` is the one place that turns a delegation
and a signer into those lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.clock import VIETNAM
from motcua.common.errors import NotAllowed
from motcua.common.memo import memoized
from motcua.common.text import fold_words
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from . import selectors
from .constants import DelegationKind
from .models import Delegation

OWN_NAME = ""  # no delegation: the head signs in their own name


@dataclass(frozen=True)
class SignatureRule:
    """How one kind of signature reads (Decree 30/2020 art. 13)."""

    on_behalf: bool  # a collective body's "TM. <collective>" line heads the block
    prefix: str  # before the head's position ("KT. CHỦ TỊCH"); "" = the signer's own title
    article: str


# kind of delegation → how the block reads. The head's position is the delegator's ("CHỦ TỊCH");
# the signer's is the deputy's or the unit head's own ("PHÓ CHỦ TỊCH", "CHÁNH VĂN PHÒNG").
SIGNATURE_RULES: dict[str, SignatureRule] = {
    OWN_NAME: SignatureRule(True, "", "NĐ 30/2020/NĐ-CP Điều 13 khoản 1, 2"),
    # The competence moved: the receiving unit's head decides in that unit's own name.
    DelegationKind.DEVOLUTION: SignatureRule(True, "", "NĐ 30/2020/NĐ-CP Điều 13 khoản 1, 2"),
    DelegationKind.SIGN_FOR: SignatureRule(True, "KT.", "NĐ 30/2020/NĐ-CP Điều 13 khoản 1, 2"),
    DelegationKind.BY_ORDER: SignatureRule(False, "TL.", "NĐ 30/2020/NĐ-CP Điều 13 khoản 4"),
    DelegationKind.BY_AUTHORISATION: SignatureRule(
        False, "TUQ.", "NĐ 30/2020/NĐ-CP Điều 13 khoản 3"
    ),
}


def signature_lines(
    kind: str, *, collective: str, head_position: str, signer_position: str
) -> tuple[str, ...]:
    """The title lines above the signature, in capitals (the name follows, in normal case).

    ``collective``: the collective the body's leaders sign for ("Ủy ban nhân dân"; "" for a
    body led by its head alone); ``head_position``: the head's ("Chủ tịch");
    ``signer_position``: the signer's own ("Phó Chủ tịch"; "" when the head signs).
    """
    rule = SIGNATURE_RULES[kind]
    lines = [f"TM. {collective}"] if rule.on_behalf and collective else []
    if rule.prefix:
        lines += [f"{rule.prefix} {head_position}", signer_position]
    else:
        lines.append(signer_position or head_position)
    return tuple(line.upper() for line in lines)


# ----------------------------------------------------------------------- who heads a unit
@dataclass(frozen=True)
class Head:
    collective: str  # "Ủy ban nhân dân": the body works collectively and its head signs "TM."
    position: str


COMMITTEE = Head("Ủy ban nhân dân", "Chủ tịch")
UNKNOWN_HEAD = Head("", "Thủ trưởng cơ quan")
# Folded beginnings of unit names → their head, before the kinds below (a department's head is
# a Giám đốc, the Office's a Chánh Văn phòng, the Chairman is a person, not a collective).
HEADS_BY_NAME: tuple[tuple[str, Head], ...] = (
    ("chu tich", Head("", "Chủ tịch")),
    ("uy ban nhan dan", COMMITTEE),
    ("so ", Head("", "Giám đốc")),
    ("van phong uy ban", Head("", "Chánh Văn phòng")),
    ("thanh tra", Head("", "Chánh Thanh tra")),
    ("ban quan ly", Head("", "Trưởng ban")),
    ("bao hiem xa hoi", Head("", "Giám đốc")),
    ("trung tam phuc vu", Head("", "Giám đốc")),
    ("chi nhanh", Head("", "Giám đốc")),
    ("cong an thanh pho", Head("", "Giám đốc")),
    ("cong an", Head("", "Trưởng Công an")),
)
HEADS_BY_KIND: dict[str, Head] = {
    UnitKind.WARD: COMMITTEE,  # the ward's or commune's People's Committee decides
    UnitKind.COMMUNE: COMMITTEE,
    UnitKind.CITY_COMMITTEE: COMMITTEE,
    UnitKind.COMMUNE_POLICE: Head("", "Trưởng Công an"),
}


def chairman_decides(procedure: Procedure | None) -> bool:
    """The national record names the Chairman, not the committee, as the deciding body (such
    decisions are signed in the Chairman's name, without "TM.")."""
    bodies = [fold_words(body or "") for body in (procedure.executing_bodies if procedure else [])]
    chairman = any(body.startswith("chu tich") for body in bodies)
    committee = any(body.startswith(("uy ban nhan dan", "ubnd")) for body in bodies)
    return chairman and not committee


@memoized
def unit_head(unit: Unit, procedure: Procedure | None = None) -> Head:
    folded = fold_words(unit.name)
    head = next((h for start, h in HEADS_BY_NAME if folded.startswith(start)), None)
    head = head or HEADS_BY_KIND.get(unit.kind, UNKNOWN_HEAD)
    if head.collective and chairman_decides(procedure):
        return Head("", head.position)
    return head


# ----------------------------------------------------------------------- who signs
def local_day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(VIETNAM).date()


def day_text(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def signer_title(signer: User | None, unit_id: int) -> str | None:
    """The title of the role by which ``signer`` signs for the unit (the approve capability);
    ``None`` when they do not sign for it (the one-stop's officers, the applicant, the system)."""
    if signer is None or unit_id not in permissions.unit_ids_with(
        signer, Capability.APPROVE_DOSSIER
    ):
        return None
    titles = [
        role.title.strip()
        for role in permissions.active_roles(signer)
        if role.unit_id == unit_id
        and Capability.APPROVE_DOSSIER in permissions.ROLE_CAPABILITIES[role.role]
    ]
    return next((t for t in titles if t), "")


def title_and_rank(signer: User, unit_id: int) -> tuple[str | None, bool]:
    """``signer_title`` and whether it is a deputy's."""
    title = signer_title(signer, unit_id)
    return title, is_deputy(title)


TITLES = "_motcua_signer_titles"


def signer_title_kept(signer: User, unit_id: int) -> tuple[str | None, bool]:
    """``title_and_rank``, remembered on this user object for the roles it holds now: a
    worklist page asks it for every signing action of every row."""
    titles: dict[int, tuple[str | None, bool]] = permissions.kept_for_roles(signer, TITLES, dict)
    found = titles.get(unit_id)
    if found is None:
        found = titles[unit_id] = title_and_rank(signer, unit_id)
    return found


def is_deputy(title: str | None) -> bool:
    """A deputy ("Phó Chủ tịch", "Phó Giám đốc") signs only for the head (art. 13(1), (2))."""
    return fold_words(title or "").startswith("pho ")


def delegation_summary(delegation: Delegation) -> dict[str, Any]:
    """What an event or an issued document records of a delegation (plain JSON)."""
    return {
        "id": delegation.pk,
        "kind": delegation.kind,
        "decision_number": delegation.decision_number,
        "decision_date": delegation.decision_date.isoformat(),
        "decision_issuer": delegation.decision_issuer,
    }


def basis_line(delegation: Delegation) -> str:
    """ "Theo Quyết định số 15/QĐ-UBND ngày 01/07/2025 của Chủ tịch …" on the decision."""
    return (
        f"Theo Quyết định số {delegation.decision_number} ngày "
        f"{day_text(delegation.decision_date)} của {delegation.decision_issuer}"
    )


@dataclass(frozen=True)
class SignatureBlock:
    lines: tuple[str, ...]
    name: str = ""
    delegation: Delegation | None = None  # the signing delegation (KT., TL., TUQ.)
    competence: Delegation | None = None  # the phân cấp that made the unit competent
    basis: tuple[str, ...] = field(default=())

    def as_facts(self) -> dict[str, Any]:
        return {
            "lines": list(self.lines),
            "name": self.name,
            "basis": list(self.basis),
            "delegation": delegation_summary(self.delegation) if self.delegation else None,
            "competence": delegation_summary(self.competence) if self.competence else None,
        }


def signature_block(
    *, unit: Unit, procedure: Procedure | None, signer: User | None, at: datetime.datetime,
    competence: Delegation | None = None,
) -> SignatureBlock:  # fmt: skip
    """The block of a document the unit issues at ``at``, signed by ``signer``: in their own
    name, or under the signing delegation in force that day for the procedure. Someone who does
    not sign for the unit (an officer of the one-stop, the applicant, the system) leaves the
    head's title with the name to be signed."""
    head = unit_head(unit, procedure)
    basis = (basis_line(competence),) if competence else ()
    title = signer_title(signer, unit.pk)
    if signer is None or title is None:
        lines = signature_lines(
            OWN_NAME, collective=head.collective, head_position=head.position, signer_position=""
        )
        return SignatureBlock(lines, competence=competence, basis=basis)
    name = signer.get_full_name()
    delegation = (
        signing_delegation_for(unit_id=unit.pk, signer=signer, procedure=procedure, at=at)
        if procedure is not None
        else None
    )
    if delegation is None:
        lines = signature_lines(
            OWN_NAME, collective=head.collective, head_position=head.position,
            signer_position=title,
        )  # fmt: skip
        return SignatureBlock(lines, name, competence=competence, basis=basis)
    position = delegation.delegate_position or title or f"Phó {head.position}"
    lines = signature_lines(
        delegation.kind, collective=head.collective,
        head_position=delegation.delegator_position or head.position, signer_position=position,
    )  # fmt: skip
    return SignatureBlock(
        lines, name, delegation, competence, basis=(*basis, basis_line(delegation))
    )


def signing_delegation_for(
    *, unit_id: int, signer: User, procedure: Procedure, at: datetime.datetime
) -> Delegation | None:
    """The delegation in force under which ``signer`` signs for the unit, if they sign for it."""
    if signer_title(signer, unit_id) is None:
        return None
    return selectors.signing_delegation(
        unit_id=unit_id, officer_id=signer.pk, procedure=procedure, on=local_day(at)
    )


MEMO = "_motcua_signing_delegations"


def signer_delegations(
    signer: User, unit_id: int, day: datetime.date, *, memo: bool
) -> list[Delegation]:
    """The signing delegations of ``signer`` in the unit on ``day``. ``memo``: read once per
    user object (one request), for the actions offered on every row of a list; an action itself
    always reads them afresh."""
    if not memo:
        return selectors.signing_in_force(unit_id=unit_id, on=day, officer_id=signer.pk)
    cache: dict[tuple[int, datetime.date], list[Delegation]] = signer.__dict__.setdefault(MEMO, {})
    if (unit_id, day) not in cache:
        cache[(unit_id, day)] = signer_delegations(signer, unit_id, day, memo=False)
    return cache[(unit_id, day)]


def signer_check(
    *, unit_id: int, signer: User, procedure: Procedure | Callable[[], Procedure],
    at: datetime.datetime, memo: bool = False,
) -> Delegation | None:  # fmt: skip
    """A deputy signs only for the head, under a delegation in force for the procedure (Decree
    30/2020 art. 13(1)–(2)); the head and untitled leaders sign in their own name. Returns the
    delegation the deputy signs under. ``procedure`` may be a function: it is read only for a
    deputy."""
    title, deputy = signer_title_kept(signer, unit_id) if memo else title_and_rank(signer, unit_id)
    if not deputy:
        return None
    if callable(procedure):
        procedure = procedure()
    day = local_day(at)
    delegation = selectors.first_covering(
        signer_delegations(signer, unit_id, day, memo=memo), procedure
    )
    if delegation is None:
        raise NotAllowed(
            _(
                "%(name)s là %(title)s: cấp phó chỉ ký thay người đứng đầu khi có quyết định giao "
                "ký (KT., TL., TUQ.) còn hiệu lực ngày %(day)s cho thủ tục %(code)s "
                "(Nghị định 30/2020/NĐ-CP, Điều 13)."
            )
            % {
                "name": signer.get_full_name(),
                "title": title,
                "day": day_text(day),
                "code": procedure.code,
            }
        )
    return delegation

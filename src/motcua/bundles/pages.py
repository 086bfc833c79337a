"""What the bundle pages show and read back: the bundle form built from its definition (services
to choose, the facts declared once in ``data/bundles.yaml``), and a bundle's members in plain
words, with their results. Shared by the citizen's pages and the officers' (``views``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.dossiers.constants import DocumentKind
from motcua.dossiers.models import IssuedDocument
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from .constants import TERMINAL_BUNDLE_STATUSES, MemberState
from .definitions import Definition
from .models import Bundle, BundleMember

# How each registry calls the number it gives (sandbox and real registries alike).
NUMBER_LABELS = {
    "civil_status/birth": gettext_lazy("Số Giấy khai sinh điện tử"),
    "civil_status/death": gettext_lazy("Số Trích lục khai tử"),
    "population/residence_register": gettext_lazy("Số thông báo đăng ký thường trú"),
    "population/residence_remove": gettext_lazy("Số thông báo xóa đăng ký thường trú"),
    "social_insurance/health_card": gettext_lazy("Số thẻ bảo hiểm y tế"),
    "social_insurance/funeral_allowance": gettext_lazy("Số quyết định trợ cấp mai táng"),
    "social_insurance/survivor_allowance": gettext_lazy("Số quyết định hưởng chế độ tử tuất"),
}


# ------------------------------------------------------------------------------ the form
@dataclass
class ServiceChoice:
    service: str
    name: str
    result: str
    required: bool
    checked: bool


@dataclass
class SubjectInput:
    name: str
    label: str
    kind: str
    required: bool
    required_for: list[str]
    choices: list[str]
    value: str

    @property
    def dom_id(self) -> str:
        return f"subject-{self.name}"


@dataclass
class BundleForm:
    """The bundle form as the page renders it: what may be chosen, the facts, the values."""

    definition: Definition
    services: list[ServiceChoice]
    subject: list[SubjectInput]
    unit_code: str = ""
    applicant: dict[str, str] = field(default_factory=dict)


def bundle_form(
    definition: Definition, *, chosen: Iterable[str] | None, subject: Mapping[str, Any],
    unit_code: str = "", applicant: Mapping[str, str] | None = None,
) -> BundleForm:  # fmt: skip
    """The form with ``chosen`` services ticked and the facts given so far. By default every
    service is ticked (the bundle exists to give them at once) but those that only go with
    another (the survivor allowance): they are chosen on purpose."""
    required = set(definition.choose.required)
    ticked = (
        set(chosen)
        if chosen is not None
        else {m.service for m in definition.members if not m.requires}
    )
    services = [
        ServiceChoice(
            m.service,
            m.name,
            m.result,
            m.service in required,
            m.service in required or m.service in ticked,
        )
        for m in definition.members
    ]
    inputs = [
        SubjectInput(
            f.name,
            f.label,
            f.kind,
            f.required,
            list(f.required_for),
            list(f.choices),
            str(subject.get(f.name) or "")[:500],
        )
        for f in definition.subject
    ]
    return BundleForm(definition, services, inputs, unit_code, dict(applicant or {}))


def posted_services(definition: Definition, post: Mapping[str, Any]) -> list[str]:
    """The ticked services in the definition's order, the required ones always in."""
    ticked = set(post.getlist("services")) if hasattr(post, "getlist") else set()
    required = set(definition.choose.required)
    return [m.service for m in definition.members if m.service in ticked | required]


def posted_subject(definition: Definition, post: Mapping[str, Any]) -> dict[str, str]:
    """The facts as typed (empty ones left out: the definition says which are required)."""
    typed = {f.name: str(post.get(f.name, "")).strip()[:500] for f in definition.subject}
    return {name: value for name, value in typed.items() if value}


def account_applicant(user: User) -> dict[str, str]:
    """The applicant from the signed-in account (once-only: nothing typed twice)."""
    citizen = getattr(user, "citizen_profile", None)
    return {
        "name": user.full_name,
        "id_number": citizen.id_number if citizen else "",
        "phone": user.phone,
        "email": user.email,
        "address": citizen.address if citizen else "",
    }


def account_subject(definition: Definition, user: User) -> dict[str, str]:
    """Facts the account already tells: the applicant's own address, where a child's residence
    is usually registered (the applicant can change it)."""
    citizen = getattr(user, "citizen_profile", None)
    names = {f.name for f in definition.subject}
    facts: dict[str, str] = {}
    if citizen is not None and citizen.address and "residence_address" in names:
        facts["residence_address"] = citizen.address
    return facts


def account_unit_code(user: User) -> str:
    """The ward of the applicant's registered residence, if the account knows it."""
    citizen = getattr(user, "citizen_profile", None)
    unit = getattr(citizen, "residence_unit", None) if citizen is not None else None
    if unit is not None and unit.kind in (UnitKind.WARD, UnitKind.COMMUNE):
        return str(unit.code)
    return ""


def receiving_wards(on: datetime.date) -> QuerySet[Unit]:
    """Where a bundle is received: the one-stop of a ward or commune (Law on Civil Status)."""
    return (
        Unit.objects.effective_on(on)
        .filter(kind__in=(UnitKind.WARD, UnitKind.COMMUNE))
        .only("code", "name")
        .order_by("name")
    )


# ------------------------------------------------------------------------------ reading
@dataclass
class ResultLine:
    label: str
    number: str


@dataclass
class MemberRow:
    """One member as a page shows it."""

    member: BundleMember
    name: str
    result_name: str
    state_label: str
    results: list[ResultLine]
    files: list[Any] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.member.state == MemberState.DONE

    @property
    def ended_badly(self) -> bool:
        return self.member.state in (
            MemberState.REFUSED, MemberState.STOPPED, MemberState.CANCELLED,
        )  # fmt: skip


def member_rows(bundle: Bundle, members: Iterable[BundleMember]) -> list[MemberRow]:
    definition = bundle.definition if isinstance(bundle.definition, dict) else {}
    declared = {m.get("service"): m for m in definition.get("members", [])}
    rows = []
    for member in members:
        spec = declared.get(member.service, {})
        rows.append(
            MemberRow(
                member,
                str(spec.get("name") or member.service),
                str(spec.get("result") or ""),
                str(MemberState(member.state).label),
                result_lines(member),
            )
        )
    return rows


def result_lines(member: BundleMember) -> list[ResultLine]:
    """The numbers the member's result carries: its registry's number (and the child's personal
    ID number from civil status), then the documents its agency issued."""
    result = member.result if isinstance(member.result, dict) else {}
    lines = []
    registry = result.get("registry") or {}
    if registry.get("number"):
        label = NUMBER_LABELS.get(member.registry, _("Số ghi nhận trong cơ sở dữ liệu"))
        lines.append(ResultLine(str(label), str(registry["number"])))
    if registry.get("personal_id"):
        lines.append(ResultLine(_("Số định danh cá nhân của trẻ"), str(registry["personal_id"])))
    for issued in result.get("issued") or []:  # the decision, not the receipt and other slips
        if issued.get("kind") == DocumentKind.DECISION and issued.get("number"):
            lines.append(ResultLine(str(DocumentKind.DECISION.label), str(issued["number"])))
    return lines


@dataclass(frozen=True)
class ApologyLine:
    """A member agency's apology and new date (Mẫu 04), as the bundle's page shows it."""

    row: MemberRow
    number: str
    issued_at: datetime.datetime
    reason: str
    new_due: datetime.datetime | None


def apology_lines(rows: Iterable[MemberRow]) -> list[ApologyLine]:
    """The apologies issued on the members' dossiers (one query, none without a dossier)."""
    by_dossier = {r.member.dossier_id: r for r in rows if r.member.dossier_id is not None}
    if not by_dossier:
        return []
    issued = (
        IssuedDocument.objects.filter(dossier_id__in=list(by_dossier), kind=DocumentKind.APOLOGY)
        .select_related("event")
        .only("dossier_id", "number", "issued_at", "event__reason", "event__payload")
        .order_by("issued_at", "pk")
    )
    lines = []
    for document in issued:
        event = document.event
        payload = event.payload if event is not None and isinstance(event.payload, dict) else {}
        new_due = payload.get("new_due")
        lines.append(
            ApologyLine(
                by_dossier[document.dossier_id], document.number, document.issued_at,
                event.reason if event is not None else "",
                datetime.datetime.fromisoformat(new_due) if isinstance(new_due, str) else None,
            )
        )  # fmt: skip
    return lines


@dataclass(frozen=True)
class Sla:
    """Where the whole bundle stands against its limit (Decree 63/2024 art. 7)."""

    key: str
    label: str


def sla_of(bundle: Bundle, at: datetime.datetime) -> Sla:
    """Against the whole bundle's limit (``statutory_due_at``), not the appointment an apology
    moved: a bundle past its limit is late for the Center whatever new date was given."""
    due = bundle.statutory_due_at or bundle.due_at
    if due is None:
        return Sla("waiting", _("Chưa tiếp nhận, chưa tính hạn"))
    if bundle.status in TERMINAL_BUNDLE_STATUSES:
        if whole_on_time(bundle.finished_at or at, due):
            return Sla("done_on_time", _("Kết thúc đúng hạn"))
        return Sla("done_late", _("Kết thúc quá hạn"))
    if not whole_on_time(at, due):
        return Sla("late", _("Quá hạn"))
    if due - at <= datetime.timedelta(hours=8):
        return Sla("due_soon", _("Sắp đến hạn"))
    return Sla("on_time", _("Trong hạn"))


def whole_on_time(end: datetime.datetime, due: datetime.datetime) -> bool:
    """The whole bundle's rule: it ends (or, unfinished, is looked at) no later than its limit.
    The supervision figures count with the same rule (``supervision.bundle_figures``)."""
    return end <= due


def late_members(members: Iterable[BundleMember], at: datetime.datetime) -> list[BundleMember]:
    """Members past their own due date without a decision, or whose agency has not yet
    acknowledged its e-dossier in time."""
    late = []
    for member in members:
        open_member = member.state in (MemberState.PENDING, MemberState.ACTIVE, MemberState.PAUSED)
        overdue = member.due_at is not None and member.due_at < at
        unacknowledged = member.ack_due_at is not None and member.acknowledged_at is None
        if open_member and (overdue or (unacknowledged and member.ack_due_at < at)):  # type: ignore[operator]
            late.append(member)
    return late

"""Bundle definitions (``data/bundles.yaml``): read, checked as a whole, looked up by date.

A definition declares a linked bundle once: its members and their order (which member's result
hands off to which), each member's procedure, competent agency and time limit, the whole bundle's
limit and the after-15:00 rule, what the applicant may choose and the facts they give about the
child or the deceased. The kernel, the API and ``docs/bundles.md`` read it from here; a bundle
keeps a copy of the definition it was received under (``Bundle.definition``), so a later change of
the file never changes a bundle in flight.

Pydantic checks the file's shape and the rules across fields (one root member, hand-offs to
members declared before, tokens that name real services and variants, no two versions of a kind
in force on one day) and reports every problem at once.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from motcua.worktime.rules import Limit, LimitUnit

from .constants import Agency
from .errors import BundleInputError, DefinitionError

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
UNIT_AGENCY = re.compile(r"^unit:[a-z0-9]+(?:-[a-z0-9]+)*$")


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LimitSpec(Spec):
    """A time limit: ``quantity`` of ``unit`` (``same_day``: by the close of the day, or of the
    next working day after the cut-off)."""

    quantity: int = Field(ge=0, le=400)
    unit: Literal["working_day", "working_hour", "calendar_day", "same_day"]

    @model_validator(mode="after")
    def positive_unless_same_day(self) -> LimitSpec:
        if self.unit != "same_day" and self.quantity <= 0:
            raise ValueError("a time limit other than same_day needs a positive quantity")
        return self

    def as_limit(self) -> Limit:
        return Limit(float(self.quantity), LimitUnit(self.unit))

    def words(self) -> str:
        if self.unit == "same_day":
            return _("trong ngày làm việc")
        names = {
            "working_day": _("ngày làm việc"),
            "working_hour": _("giờ làm việc"),
            # the context keeps English "days", not the "date" of a plain "ngày"
            "calendar_day": pgettext("time limit unit", "ngày"),
        }
        return f"{self.quantity} {names[self.unit]}"


class SubjectField(Spec):
    name: str = Field(pattern=SERVICE_NAME.pattern)
    kind: Literal["text", "date", "choice", "id_number"]
    label: str
    label_en: str
    required: bool = False
    required_for: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    @model_validator(mode="after")
    def choices_for_choice(self) -> SubjectField:
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"{self.name}: choices go with kind choice, and only with it")
        return self


REGISTRY = r"^([a-z_]+/[a-z_]+)?$"


class Variant(Spec):
    variant: str = Field(pattern=SERVICE_NAME.pattern)
    procedure: str = Field(pattern=r"^\d\.\d{6}$")
    agency: str
    registry: str = Field(default="", pattern=REGISTRY)
    limit: LimitSpec
    with_verification: LimitSpec | None = None
    note: str = ""


@dataclass(frozen=True)
class Resolved:
    """A member as chosen: its procedure, agency and limits (its variant's, if it has some)."""

    service: str
    variant: str
    procedure: str
    agency: str
    limit: LimitSpec
    with_verification: LimitSpec | None
    after: str | None
    registry: str = ""


class AgeLimit(Spec):
    """A member for a person under an age on the day of submission (a health-insurance card
    for a child under 6): ``field`` is the subject's date of birth."""

    field: str = Field(pattern=SERVICE_NAME.pattern)
    under_years: int = Field(gt=0, le=150)


class Member(Spec):
    service: str = Field(pattern=SERVICE_NAME.pattern)
    name: str
    name_en: str
    after: str | None = None
    procedure: str = Field(default="", pattern=r"^(\d\.\d{6})?$")
    agency: str = ""
    registry: str = Field(default="", pattern=REGISTRY)
    limit: LimitSpec | None = None
    with_verification: LimitSpec | None = None
    requires: tuple[str, ...] = ()
    result: str = ""
    note: str = ""
    variant_field: str = ""
    variants: tuple[Variant, ...] = ()
    age: AgeLimit | None = None

    @model_validator(mode="after")
    def own_or_variants(self) -> Member:
        own = bool(self.procedure and self.agency and self.limit)
        if self.variants:
            if own or not self.variant_field:
                raise ValueError(
                    f"{self.service}: a member with variants names variant_field and leaves "
                    "procedure, agency and limit to its variants"
                )
        elif not own:
            raise ValueError(f"{self.service}: procedure, agency and limit are required")
        return self

    def variant_names(self) -> list[str]:
        return [v.variant for v in self.variants]

    def resolved(self, variant: str = "") -> Resolved:
        if not self.variants:
            assert self.limit is not None
            return Resolved(
                self.service, "", self.procedure, self.agency, self.limit,
                self.with_verification, self.after, self.registry,
            )  # fmt: skip
        chosen = next(v for v in self.variants if v.variant == variant)
        return Resolved(
            self.service, chosen.variant, chosen.procedure, chosen.agency, chosen.limit,
            chosen.with_verification, self.after, chosen.registry,
        )  # fmt: skip


class LimitRule(Spec):
    when: tuple[str, ...] = ()
    limit: LimitSpec
    with_verification: LimitSpec | None = None
    note: str = ""


class Choose(Spec):
    required: tuple[str, ...]
    one_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    """What the applicant chose, checked: the members in the definition's order, each with its
    variant, and the whole bundle's limit rule."""

    members: tuple[Resolved, ...]
    limit: LimitRule

    @property
    def services(self) -> list[str]:
        return [m.service for m in self.members]


class Definition(Spec):
    kind: str = Field(pattern=SERVICE_NAME.pattern)
    name: str
    name_en: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    note: str = ""
    after_cutoff_next_working_day: bool = True
    acknowledge_within: LimitSpec | None = None
    limits: tuple[LimitRule, ...]
    choose: Choose
    subject: tuple[SubjectField, ...]
    members: tuple[Member, ...]

    @model_validator(mode="after")
    def consistent(self) -> Definition:
        problems = definition_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def version(self) -> str:
        return f"{self.kind}@{self.valid_from:%Y-%m-%d}"

    def member(self, service: str) -> Member:
        return next(m for m in self.members if m.service == service)

    @property
    def root(self) -> Member:
        return next(m for m in self.members if m.after is None)

    def in_force_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def select(self, services: Iterable[str], subject: Mapping[str, Any]) -> Selection:
        """The applicant's choice of services, checked against the definition's rules."""
        return selection_check(self, list(services), subject)


def definition_problems(definition: Definition) -> list[str]:
    """Rules across fields: one root, hand-offs to earlier members, tokens that exist."""
    problems: list[str] = []
    services = [m.service for m in definition.members]
    if len(set(services)) != len(services):
        problems.append("two members have the same service")
    roots = [m.service for m in definition.members if m.after is None]
    if len(roots) != 1:
        problems.append(f"exactly one member must have no `after` (found {roots})")
    seen: set[str] = set()
    for member in definition.members:
        for agency in [member.agency, *(v.agency for v in member.variants)]:
            if agency and agency not in Agency.values and not UNIT_AGENCY.match(agency):
                problems.append(f"{member.service}: unknown agency {agency!r}")
        if member.after is not None and member.after not in seen:
            problems.append(
                f"{member.service}: after {member.after!r}, not a member declared before"
            )
        seen.add(member.service)
        for token in member.requires:
            problems += token_problems(definition, token, member.service)
        dates = {f.name for f in definition.subject if f.kind == "date"}
        if member.age is not None and member.age.field not in dates:
            problems.append(f"{member.service}: age field {member.age.field!r} is no subject date")
        if member.variant_field and member.variant_field not in {
            f.name for f in definition.subject
        }:
            problems.append(
                f"{member.service}: variant_field {member.variant_field!r} is not a subject field"
            )
    for service in [*definition.choose.required, *definition.choose.one_of]:
        if service not in services:
            problems.append(f"choose names {service!r}, not a member")
    if definition.root.service not in definition.choose.required:
        problems.append("the root member must be required")
    for rule in definition.limits:
        for token in rule.when:
            problems += token_problems(definition, token, "limits")
    if not definition.limits or definition.limits[-1].when:
        problems.append("the last limit rule must have no `when` (the default)")
    for item in definition.subject:
        for service in item.required_for:
            if service not in services:
                problems.append(f"subject {item.name}: required_for {service!r}, not a member")
    if definition.valid_until is not None and definition.valid_until < definition.valid_from:
        problems.append("valid_until is before valid_from")
    return problems  # fmt: skip


def token_problems(definition: Definition, token: str, where: str) -> list[str]:
    service, _sep, variant = token.partition(":")
    member = next((m for m in definition.members if m.service == service), None)
    if member is None:
        return [f"{where}: {token!r} names no member"]
    if variant and variant not in member.variant_names():
        return [f"{where}: {token!r} names no variant of {service}"]
    return []


class DefinitionFile(Spec):
    version: int
    sources: dict[str, str] = {}
    bundles: tuple[Definition, ...]

    @model_validator(mode="after")
    def no_overlap(self) -> DefinitionFile:
        problems = []
        for definition in self.bundles:
            problems += [
                f"{definition.version}: unknown source {key!r}"
                for key in definition.sources
                if key not in self.sources
            ]
            for other in self.bundles:
                if (
                    other is not definition
                    and other.kind == definition.kind
                    and overlap(definition, other)
                ):
                    problems.append(f"{definition.version} and {other.version} are in force on the same days")  # fmt: skip
        if problems:
            raise ValueError("; ".join(sorted(set(problems))))
        return self


def overlap(a: Definition, b: Definition) -> bool:
    far = datetime.date.max
    return a.valid_from <= (b.valid_until or far) and b.valid_from <= (a.valid_until or far)


# --------------------------------------------------------------------------------- selection
def selection_check(
    definition: Definition, services: list[str], subject: Mapping[str, Any]
) -> Selection:
    """The services the applicant chose, in the definition's order, each with its variant; or a
    refusal that says what to choose (Decree 63/2024; Decision 296/QĐ-VPCP: 2, 3 or 4 procedures)."""
    known = [m.service for m in definition.members]
    unknown = [s for s in services if s not in known]
    if unknown or not services:
        listed = ", ".join(known)
        raise BundleInputError(
            _("Dịch vụ không thuộc nhóm liên thông này: %(given)s. Chọn trong: %(known)s.")
            % {"given": ", ".join(unknown) or "—", "known": listed},
            f"Services not in this bundle: {', '.join(unknown) or '—'}. Choose among: {listed}.",
        )
    if len(set(services)) != len(services):
        raise BundleInputError(_("Mỗi dịch vụ chỉ chọn một lần."), "Choose each service once.")
    chosen = set(services)
    missing = [s for s in definition.choose.required if s not in chosen]
    if missing:
        raise BundleInputError(
            _("Nhóm liên thông này luôn gồm: %(services)s.") % {"services": ", ".join(missing)},
            f"This bundle always includes: {', '.join(missing)}.",
        )
    one_of = definition.choose.one_of
    if one_of and not chosen & set(one_of):
        raise BundleInputError(
            _("Hãy chọn thêm ít nhất một trong: %(services)s.") % {"services": ", ".join(one_of)},
            f"Choose at least one of: {', '.join(one_of)}.",
        )
    resolved = tuple(
        definition.member(m.service).resolved(variant_of(definition, m, subject))
        for m in definition.members
        if m.service in chosen
    )
    tokens = chosen | {f"{r.service}:{r.variant}" for r in resolved if r.variant}
    for member in resolved:
        for token in definition.member(member.service).requires:
            if token not in tokens:
                raise BundleInputError(
                    _("Dịch vụ %(service)s chỉ chọn được cùng %(token)s.")
                    % {"service": member.service, "token": token},
                    f"Service {member.service} can only be chosen with {token}.",
                )
    rule = next(r for r in definition.limits if set(r.when) <= tokens)
    return Selection(resolved, rule)


def variant_of(definition: Definition, member: Member, subject: Mapping[str, Any]) -> str:
    if not member.variants:
        return ""
    value = str(subject.get(member.variant_field) or "")
    if value not in member.variant_names():
        listed = ", ".join(member.variant_names())
        raise BundleInputError(
            _("Dịch vụ %(service)s cần trường %(field)s là một trong: %(values)s.")
            % {"service": member.service, "field": member.variant_field, "values": listed},
            f"Service {member.service} needs subject.{member.variant_field}, one of: {listed}.",
        )
    return value


# --------------------------------------------------------------------------------- the file
class Loaded:
    """The definitions file, read once per process and again when it changes on disk."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[str, int] | None = None
        self.file: DefinitionFile | None = None

    def get(self, path: Path) -> DefinitionFile:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns)
        with self.lock:
            if self.key != key or self.file is None:
                self.file = definitions_read(path)
                self.key = key
            return self.file


LOADED = Loaded()


def definitions_read(path: Path) -> DefinitionFile:
    """The whole file, checked; ``DefinitionError`` lists every problem found."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DefinitionError([f"{path}: {error}"]) from error
    try:
        return DefinitionFile.model_validate(raw)
    except ValidationError as invalid:
        raise DefinitionError(
            [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in invalid.errors()]
        ) from invalid


def definitions() -> DefinitionFile:
    return LOADED.get(Path(settings.MOTCUA_BUNDLES_FILE))


def kinds() -> list[str]:
    return sorted({d.kind for d in definitions().bundles})


def definition_in_force(kind: str, on: datetime.date) -> Definition:
    """The version of ``kind`` in force on ``on``, or a refusal naming the kinds there are."""
    found = [d for d in definitions().bundles if d.kind == kind]
    if not found:
        listed = ", ".join(kinds())
        raise BundleInputError(
            _("Không có nhóm thủ tục liên thông “%(kind)s”. Chọn một trong: %(kinds)s.")
            % {"kind": kind, "kinds": listed},
            f"No linked bundle {kind!r}; choose one of: {listed}.",
        )
    for definition in found:
        if definition.in_force_on(on):
            return definition
    raise BundleInputError(
        _("Nhóm thủ tục liên thông “%(kind)s” không áp dụng vào ngày %(day)s.")
        % {"kind": kind, "day": f"{on:%d/%m/%Y}"},
        f"The linked bundle {kind!r} is not in force on {on:%d/%m/%Y}.",
    )


def definition_from_snapshot(snapshot: Mapping[str, Any]) -> Definition:
    """The definition a bundle was received under (its stored copy)."""
    return Definition.model_validate(snapshot)


# --------------------------------------------------------------------------------- subject
def subject_check(
    definition: Definition, selection: Selection, given: Mapping[str, Any], on: datetime.date
) -> dict[str, str]:
    """The facts about the child or the deceased, as the definition declares them: unknown
    fields refused, required ones present (some only for a chosen service), dates as
    dd/mm/yyyy (or ISO) and not after ``on`` (the day of submission: a birth or a death has
    happened), personal ID numbers of 12 digits, choices among their values."""
    fields = {f.name: f for f in definition.subject}
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise BundleInputError(
            _("Thông tin không có trong tờ khai: %(names)s.") % {"names": ", ".join(unknown)},
            f"Unknown subject fields: {', '.join(unknown)}.",
        )
    chosen = set(selection.services)
    clean: dict[str, str] = {}
    for item in definition.subject:
        raw = given.get(item.name)
        if raw is not None and not isinstance(raw, str | int | float):
            raise BundleInputError(
                _("“%(label)s” phải là một giá trị chữ hoặc số.") % {"label": item.label},
                f"{item.label_en} must be text or a number (subject.{item.name}).",
            )
        value = str(raw if raw is not None else "").strip()[:500]
        if not value:
            if item.required or chosen & set(item.required_for):
                raise BundleInputError(
                    _("Cần nhập “%(label)s” (subject.%(name)s).")
                    % {"label": item.label, "name": item.name},
                    f"{item.label_en} is required (subject.{item.name}).",
                )
            continue
        clean[item.name] = subject_value(item, value, on)
    for member in definition.members:
        if member.age is not None and member.service in chosen:
            age_check(definition, member, member.age, clean, on)
    return clean


def age_check(
    definition: Definition, member: Member, limit: AgeLimit, clean: Mapping[str, str],
    on: datetime.date,
) -> None:  # fmt: skip
    """The person is under ``limit.under_years`` on ``on`` (the day of submission)."""
    born = clean.get(limit.field)
    if born is None:
        return  # not given: the field's own rule says whether it is required
    birth = datetime.date.fromisoformat(born)
    if on < birthday(birth, limit.under_years):
        return
    label = next(f for f in definition.subject if f.name == limit.field)
    shown = birth.strftime("%d/%m/%Y")
    raise BundleInputError(
        _("“%(service)s” chỉ dành cho người dưới %(years)s tuổi vào ngày nộp; %(label)s: %(date)s.")
        % {"service": member.name, "years": limit.under_years, "label": label.label, "date": shown},
        f"{member.name_en} is only for a person under {limit.under_years} on the day of "
        f"submission; {label.label_en}: {shown}.",
    )  # fmt: skip


def birthday(birth: datetime.date, years: int) -> datetime.date:
    """The day the person turns ``years`` (one born on 29 February: 1 March)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return datetime.date(birth.year + years, 3, 1)


def subject_value(item: SubjectField, value: str, on: datetime.date) -> str:
    if any(ord(char) < 32 for char in value):
        raise BundleInputError(
            _("“%(label)s” có ký tự không hợp lệ.") % {"label": item.label},
            f"{item.label_en} contains invalid characters.",
        )
    if item.kind == "date":
        return past_date(item, date_value(item, value), on).isoformat()
    if item.kind == "id_number" and not re.fullmatch(r"\d{12}", value):
        raise BundleInputError(
            _("“%(label)s”: số định danh cá nhân gồm 12 chữ số.") % {"label": item.label},
            f"{item.label_en}: a personal ID number has 12 digits.",
        )
    if item.kind == "choice" and value not in item.choices:
        listed = ", ".join(item.choices)
        raise BundleInputError(
            _("“%(label)s” phải là một trong: %(values)s.")
            % {"label": item.label, "values": listed},
            f"{item.label_en} must be one of: {listed}.",
        )
    return value


def past_date(item: SubjectField, day: datetime.date, on: datetime.date) -> datetime.date:
    if day > on:
        raise BundleInputError(
            _("“%(label)s” không thể sau ngày nộp hồ sơ (%(day)s).")
            % {"label": item.label, "day": on.strftime("%d/%m/%Y")},
            f"{item.label_en} cannot be after the day of submission ({on:%d/%m/%Y}).",
        )
    return day


def date_value(item: SubjectField, value: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise BundleInputError(
        _("“%(label)s”: ghi ngày theo dạng dd/mm/yyyy, ví dụ 25/02/2026.") % {"label": item.label},
        f"{item.label_en}: write the date as dd/mm/yyyy, e.g. 25/02/2026.",
    )

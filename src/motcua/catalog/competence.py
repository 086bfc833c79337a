"""Which Hà Nội unit decides and which receives a procedure, read from the national record.

The national records name executing bodies in free text ("Ủy ban nhân dân cấp xã", "Sở Tư pháp",
"Công an cấp Xã", "Chi nhánh Văn phòng đăng ký đất đai khu vực" …), often with old department
names from before the 2025 mergers. We fold the text and match it against competence rules
(``CompetenceRule``, seeded from ``data/competence_rules.yaml``, effective-dated, edited in the
admin); a body no rule places is reported, never guessed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from motcua.common.text import fold_words

from .constants import CommuneBody, CompetenceLevel

CENTER = "hn-pvhcc"
CENTRAL_BY_RULE = "central agency, no Hà Nội counter: competence rule"
FACILITY_BY_RULE = "service facility, not received at a one-stop counter: competence rule"
# The gap a rule writes on a record it takes out of the Hà Nội set (catalog-check counts them).
OUTSIDE_BY_RULE: dict[str, str] = {
    CompetenceLevel.MINISTRY: CENTRAL_BY_RULE,
    CompetenceLevel.FACILITY: FACILITY_BY_RULE,
}

MINISTRY = re.compile(
    r"^(bo|cuc|tong cuc|vu|ngan hang nha nuoc|uy ban chung khoan|co quan dai dien|cang vu|"
    r"chi cuc hai quan|hai quan|kho bac|toa an|vien kiem sat|bao hiem xa hoi viet nam|"
    r"thong tan xa|dai truyen hinh|hoc vien|truong)\b"
)


# Sector ministry → Hà Nội department (or local agency) that handles its procedures in the city.
MINISTRY_TO_LOCAL: list[tuple[str, str]] = [
    (r"^bo tu phap\b", "hn-so-tu-phap"),
    (r"^bo y te\b", "hn-so-y-te"),
    (r"^bo giao duc\b", "hn-so-giao-duc-dao-tao"),
    (r"^bo cong thuong\b", "hn-so-cong-thuong"),
    (r"^bo nong nghiep\b|^bo tai nguyen\b", "hn-so-nong-nghiep-moi-truong"),
    (r"^bo xay dung\b|^bo giao thong\b", "hn-so-xay-dung"),
    (r"^bo van hoa\b", "hn-so-van-hoa-the-thao"),
    (r"^bo khoa hoc\b|^bo thong tin\b", "hn-so-khoa-hoc-cong-nghe"),
    (r"^bo noi vu\b|^bo lao dong\b", "hn-so-noi-vu"),
    (r"^bo tai chinh\b|^bo ke hoach\b", "hn-so-tai-chinh"),
    (r"^bo dan toc\b|^uy ban dan toc\b", "hn-so-dan-toc-ton-giao"),
    (r"^bo ngoai giao\b", "hn-van-phong-ubnd"),
    (r"^bo cong an\b", "hn-cong-an"),
]
LOCAL_AGENCIES = {"hn-cong-an", "hn-bhxh", "hn-thue"}


def match_pattern(folded: str, patterns: list[tuple[str, str]]) -> str | None:
    for pattern, code in patterns:
        if re.search(pattern, folded):
            return code
    return None


# Provinces other than Hà Nội (pre- and post-2025 names, folded): a body named after one of them
# ("Sở Ngoại vụ Thành phố Hồ Chí Minh", "Văn phòng đăng ký đất đai Bắc Ninh") is not Hà Nội's.
OTHER_PROVINCES = (
    "ha giang|cao bang|bac kan|tuyen quang|lao cai|dien bien|lai chau|son la|yen bai|hoa binh|"
    "thai nguyen|lang son|quang ninh|bac giang|phu tho|vinh phuc|bac ninh|hai duong|hai phong|"
    "hung yen|thai binh|ha nam|nam dinh|ninh binh|thanh hoa|nghe an|ha tinh|quang binh|"
    "quang tri|thua thien hue|hue|da nang|quang nam|quang ngai|binh dinh|phu yen|khanh hoa|"
    "ninh thuan|binh thuan|kon tum|gia lai|dak lak|dak nong|lam dong|binh phuoc|tay ninh|"
    "binh duong|dong nai|ba ria vung tau|ho chi minh|hcm|long an|tien giang|ben tre|tra vinh|"
    "vinh long|dong thap|an giang|kien giang|can tho|hau giang|soc trang|bac lieu|ca mau"
)
OTHER_PROVINCE = re.compile(rf"\b(tinh|thanh pho|tp) ({OTHER_PROVINCES})\b|\b({OTHER_PROVINCES})$")


@dataclass(frozen=True)
class Competence:
    level: str
    commune_body: str = ""
    deciding_unit: str | None = None
    receiving_units: tuple[str, ...] = ()
    problem: str = ""
    receive_at_branches: bool = False
    rule: str = ""  # the key of the rule that placed it


@dataclass(frozen=True)
class Rule:
    """One competence rule (``CompetenceRule``) in the form the pure functions use."""

    key: str
    match: str  # "body", "code" or "name"
    pattern: str
    level: str
    commune_body: str = ""
    deciding_unit: str | None = None
    receiving_units: tuple[str, ...] = ()
    receive_at_branches: bool = False
    exclude: str = ""
    field_name: str = ""  # folded; empty: every field
    priority: int = 100
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None

    def holds_on(self, day: datetime.date) -> bool:
        starts = self.valid_from is None or self.valid_from <= day
        return starts and (self.valid_to is None or day <= self.valid_to)

    def codes(self) -> set[str]:
        return {code.strip() for code in self.pattern.split(",") if code.strip()}

    def matches(self, folded: str) -> bool:
        try:
            found = re.search(self.pattern, folded) is not None
            excluded = bool(self.exclude) and re.search(self.exclude, folded) is not None
        except re.error:
            return False  # the admin form refuses a bad expression; an old row never breaks import
        return found and not excluded

    def competence(self) -> Competence:
        # A rule that takes a record out of the set says so: catalog-check reports it by rule.
        prefix = OUTSIDE_BY_RULE.get(self.level)
        problem = f"{prefix} {self.key}" if prefix else ""
        return Competence(
            self.level, self.commune_body, self.deciding_unit, self.receiving_units,
            problem=problem, receive_at_branches=self.receive_at_branches, rule=self.key,
        )  # fmt: skip


def rules_from_document(document: Any) -> list[Rule]:
    """Rules from the seed file's ``rules`` list (see ``data/competence_rules.yaml``)."""
    rules = []
    for item in (document or {}).get("rules") or []:
        rules.append(
            Rule(
                key=str(item["key"]),
                match=str(item["match"]),
                pattern=str(item["pattern"]),
                level=str(item["level"]),
                commune_body=str(item.get("commune_body") or ""),
                deciding_unit=item.get("deciding"),
                receiving_units=tuple(item.get("receiving") or ()),
                receive_at_branches=bool(item.get("branches")),
                exclude=str(item.get("exclude") or ""),
                field_name=fold_words(str(item.get("field") or "")),
                priority=int(item.get("priority", 100)),
                valid_from=item.get("valid_from"),
                valid_to=item.get("valid_to"),
            )
        )
    return sorted(rules, key=lambda rule: (rule.priority, rule.key))


@cache
def seed_rules() -> tuple[Rule, ...]:
    """The rules of the seed file: what the import uses when the table holds none (tests of
    records without a database, a first import)."""
    path = Path(settings.MOTCUA_COMPETENCE_RULES_FILE)
    return tuple(rules_from_document(yaml.safe_load(path.read_text(encoding="utf-8"))))


def in_force(rules: Iterable[Rule], day: datetime.date | None) -> list[Rule]:
    on = day or datetime.date.today()
    return [rule for rule in rules if rule.holds_on(on)]


def split_bodies(bodies: Iterable[str | None]) -> list[str]:
    found: list[str] = []
    for body in bodies:
        for part in re.split(r"[;\n]", body or ""):
            folded = fold_words(part)
            if folded and folded not in found:
                found.append(folded)
    return found


def body_competence(folded: str, rules: Iterable[Rule] = ()) -> Competence | None:
    """The competence one executing body implies, or ``None`` when we cannot place it."""
    if OTHER_PROVINCE.search(folded):
        return None
    for rule in rules:
        if rule.match == "body" and rule.matches(folded):
            if rule.level == CompetenceLevel.MINISTRY and MINISTRY.search(folded):
                break  # a ministry's own body: nothing for catalog-check to explain
            return rule.competence()
    if MINISTRY.search(folded):
        return Competence(CompetenceLevel.MINISTRY)
    return None


def record_competence(
    rules: Iterable[Rule], *, code: str, name: str, field_name: str
) -> Competence | None:
    """For records that name no body we can place: a rule on the code, then one on the name."""
    ordered = list(rules)
    for rule in ordered:
        if rule.match == "code" and code in rule.codes():
            return rule.competence()
    folded, field_folded = fold_words(name), fold_words(field_name)
    for rule in ordered:
        if rule.match != "name" or (rule.field_name and rule.field_name != field_folded):
            continue
        if rule.matches(folded):
            return rule.competence()
    return None


def competence_from_name(name: str, promulgating_body: str) -> Competence | None:
    """Records without an executing body often say where they are done in the name:
    "(thực hiện tại cấp tỉnh)", "… cấp xã", "(cấp trung ương)"."""
    folded = fold_words(name)
    if "cap trung uong" in folded:
        return Competence(CompetenceLevel.MINISTRY)
    if re.search(r"\bcap xa\b", folded):
        return Competence(CompetenceLevel.COMMUNE, CommuneBody.PEOPLE_COMMITTEE)
    if "cap tinh" not in folded:
        return None
    local = match_pattern(fold_words(promulgating_body), MINISTRY_TO_LOCAL)
    if local is None:
        return None
    if local in LOCAL_AGENCIES:
        return Competence(
            CompetenceLevel.CENTRAL_LOCAL, deciding_unit=local, receiving_units=(local,)
        )
    return Competence(
        CompetenceLevel.DEPARTMENT, deciding_unit=local, receiving_units=(CENTER,),
        receive_at_branches=True,
    )  # fmt: skip


def competence_of(
    bodies: Iterable[str | None], *, name: str = "", promulgating_body: str = "",
    code: str = "", field_name: str = "", rules: Iterable[Rule] | None = None,
    day: datetime.date | None = None,
) -> Competence:  # fmt: skip
    """The lowest level among the executing bodies decides where Hà Nội receives the procedure.

    A procedure done "by the commune or the department" is received at commune level first: that is
    the one-stop door closest to the applicant (Decree 118/2025 boundary-free reception). A rule on
    the procedure's code comes first of all: it corrects a record the national database got wrong.
    """
    active = in_force(seed_rules() if rules is None else rules, day)
    by_code = [rule for rule in active if rule.match == "code" and code in rule.codes()]
    if by_code:
        return by_code[0].competence()
    parts = split_bodies(bodies)
    placed = [c for c in (body_competence(part, active) for part in parts) if c is not None]
    if not placed:
        from_record = record_competence(active, code=code, name=name, field_name=field_name)
        if from_record is not None:
            return from_record
        from_name = competence_from_name(name, promulgating_body)
        if from_name is not None:
            return from_name
        problem = (
            f"executing body not recognised: {parts[0][:80]}"
            if parts
            else "no executing body in the national record"
        )
        return Competence(CompetenceLevel.UNKNOWN, problem=problem)
    order = [
        CompetenceLevel.COMMUNE,
        CompetenceLevel.DEPARTMENT,
        CompetenceLevel.CENTRAL_LOCAL,
        CompetenceLevel.CITY,
        CompetenceLevel.MINISTRY,
        CompetenceLevel.FACILITY,
    ]
    return min(placed, key=lambda c: order.index(CompetenceLevel(c.level)))

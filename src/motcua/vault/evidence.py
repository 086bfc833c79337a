"""Evidence types: which paper a stored document is, and which dossier components it satisfies.

A national component code (``000.00.00.G15-KQ003136``) names one line of one checklist text; the
same paper ("Giấy khai sinh") appears under different codes in different procedures, and a
result ("Giấy khai sinh" of 1.001193) has no component code at all. So a stored document carries
both: the component code it came in under (the same code in another procedure is the same paper),
and an evidence type, mapped here from component codes, from the procedures whose result it is,
and, for records that give no code, from the requirement's name.

The list is code, not data: a new mapping is a reviewed change with a test. [S] codes from the
national records in ``data/national_procedures``; the name patterns are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EvidenceType:
    code: str
    name: str | Promise
    # component codes that ask for this paper, in any procedure
    components: frozenset[str] = frozenset()
    # procedures whose result is this paper
    results_of: frozenset[str] = frozenset()
    # a requirement without a mapped code asks for it when its name matches (after the list marks)
    names: re.Pattern[str] | None = None
    # how long it stays valid from its issue date, in days (None: no expiry)
    valid_days: int | None = None


# "Bản sao Giấy khai sinh" in re-registration (1.004884, 2.000522) and adoption (1.000808).
BIRTH_COMPONENTS = frozenset(
    {"000.00.00.G15-KQ003136", "000.00.00.G15-KQ003826", "000.00.00.G08-KQ0408"}
)
# Birth registration in its variants, and the copy of a birth certificate (2.000635).
BIRTH_RESULTS = frozenset(
    {"1.001193", "1.000689", "1.001695", "1.003583", "1.004884", "1.004772", "2.000635", "2.000986"}
)

TYPES: tuple[EvidenceType, ...] = (
    EvidenceType(
        "GIAY_KHAI_SINH",
        _("Giấy khai sinh"),
        components=BIRTH_COMPONENTS,
        results_of=BIRTH_RESULTS,
        names=re.compile(r"^(bản sao\s+)?giấy khai sinh\b", re.IGNORECASE),
    ),
    EvidenceType(
        "TRICH_LUC_KHAI_TU",
        _("Trích lục khai tử"),
        results_of=frozenset({"1.000656"}),
        names=re.compile(r"^(bản sao\s+)?(trích lục khai tử|giấy chứng tử)\b", re.IGNORECASE),
    ),
    EvidenceType(
        "GIAY_CHUNG_NHAN_KET_HON",
        _("Giấy chứng nhận kết hôn"),
        results_of=frozenset({"1.000894"}),
        names=re.compile(r"^(bản sao\s+)?giấy chứng nhận kết hôn\b", re.IGNORECASE),
    ),
    EvidenceType(
        "XAC_NHAN_TINH_TRANG_HON_NHAN",
        _("Giấy xác nhận tình trạng hôn nhân"),
        results_of=frozenset({"1.004873"}),
        names=re.compile(r"^(bản sao\s+)?giấy xác nhận tình trạng hôn nhân\b", re.IGNORECASE),
        # Decree 123/2015 art. 23: valid for 6 months from its issue.
        valid_days=183,
    ),
)
BY_CODE = {t.code: t for t in TYPES}
BY_COMPONENT = {code: t for t in TYPES for code in t.components}


def type_name(code: str) -> str:
    found = BY_CODE.get(code)
    return str(found.name) if found else ""


def for_requirement(component_code: str, name: str) -> str:
    """The evidence type a checklist line asks for ("" when none is known)."""
    if component_code and component_code in BY_COMPONENT:
        return BY_COMPONENT[component_code].code
    text = name.lstrip("-+*• ").strip()
    for evidence in TYPES:
        if evidence.names is not None and evidence.names.search(text):
            return evidence.code
    return ""


def for_result(procedure_code: str) -> str:
    """The evidence type a procedure's granted result is ("" when none is known)."""
    base = procedure_code.split(".H")[0]  # local variants suffix the agency code
    for evidence in TYPES:
        if base in evidence.results_of:
            return evidence.code
    return ""


def valid_days(code: str) -> int | None:
    found = BY_CODE.get(code)
    return found.valid_days if found else None

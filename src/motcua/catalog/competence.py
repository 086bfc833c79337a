"""Which Hà Nội unit decides and which receives a procedure, read from the national record.

The national records name executing bodies in free text ("Ủy ban nhân dân cấp xã", "Sở Tư pháp",
"Công an cấp Xã", "Chi nhánh Văn phòng đăng ký đất đai khu vực" …), often with old department
names from before the 2025 mergers. We fold the text and match it against patterns; a body we
cannot place is reported, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from motcua.common.text import fold_words

from .constants import CommuneBody, CompetenceLevel

CENTER = "hn-pvhcc"

# Folded fragments of department names (current and pre-2025) → Hà Nội unit code.
DEPARTMENT_PATTERNS: list[tuple[str, str]] = [
    (r"\bso tu phap\b", "hn-so-tu-phap"),
    (r"\bso noi vu\b|\bso lao dong\b", "hn-so-noi-vu"),
    (r"\bso tai chinh\b|\bso ke hoach va dau tu\b", "hn-so-tai-chinh"),
    (r"\bso cong thuong\b", "hn-so-cong-thuong"),
    (
        r"\bso nong nghiep\b|\bso tai nguyen va moi truong\b|\bchi cuc\b.*\b(thu y|trong trot|kiem lam|thuy loi)",
        "hn-so-nong-nghiep-moi-truong",
    ),
    (r"\bso xay dung\b|\bso giao thong\b", "hn-so-xay-dung"),
    (r"\bso khoa hoc\b|\bso thong tin va truyen thong\b", "hn-so-khoa-hoc-cong-nghe"),
    (r"\bso van hoa\b", "hn-so-van-hoa-the-thao"),
    (r"\bso du lich\b", "hn-so-du-lich"),
    (r"\bso giao duc\b", "hn-so-giao-duc-dao-tao"),
    (r"\bso y te\b", "hn-so-y-te"),
    (r"\bso dan toc\b|\bban dan toc\b|\bban ton giao\b", "hn-so-dan-toc-ton-giao"),
    (r"\bso quy hoach\b", "hn-so-quy-hoach-kien-truc"),
    (r"\bso ngoai vu\b|\bvan phong uy ban nhan dan\b", "hn-van-phong-ubnd"),
    (r"\bthanh tra\b", "hn-thanh-tra"),
    (r"\bban quan ly (cac )?khu (cong nghe cao|cong nghiep|kinh te)\b", "hn-bql-cnc-kcn"),
    (r"\bvan phong dang ky dat dai\b|\bco quan dang ky dat dai\b", "hn-vpdkdd"),
]
CENTRAL_LOCAL_PATTERNS: list[tuple[str, str]] = [
    (r"\bcong an (cap )?tinh\b|\bcong an thanh pho\b|\bphong canh sat\b", "hn-cong-an"),
    (r"\bbao hiem xa hoi\b", "hn-bhxh"),
    (r"\bthue (tinh|co so)\b|\bcuc thue\b|\bchi cuc thue\b", "hn-thue"),
]
COMMUNE_POLICE = re.compile(r"\bcong an (cap )?xa\b")
COMMUNE_COMMITTEE = re.compile(
    r"\b(uy ban nhan dan|ubnd|chu tich uy ban nhan dan) cap xa\b|\bcap xa\b|\bxa, phuong\b"
)
CITY_COMMITTEE = re.compile(r"\b(uy ban nhan dan|ubnd|chu tich uy ban nhan dan) (cap )?tinh\b")
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


def split_bodies(bodies: Iterable[str | None]) -> list[str]:
    found: list[str] = []
    for body in bodies:
        for part in re.split(r"[;\n]", body or ""):
            folded = fold_words(part)
            if folded and folded not in found:
                found.append(folded)
    return found


def match_pattern(folded: str, patterns: list[tuple[str, str]]) -> str | None:
    for pattern, code in patterns:
        if re.search(pattern, folded):
            return code
    return None


def body_competence(folded: str) -> Competence | None:
    """The competence one executing body implies, or ``None`` when we cannot place it."""
    if OTHER_PROVINCE.search(folded):
        return None
    if COMMUNE_POLICE.search(folded):
        return Competence(CompetenceLevel.COMMUNE, CommuneBody.POLICE)
    if re.search(r"\b(co quan chuyen mon|co quan quan ly dat dai|phong)\b.*\bcap xa\b", folded):
        return Competence(CompetenceLevel.COMMUNE, CommuneBody.PEOPLE_COMMITTEE)
    if COMMUNE_COMMITTEE.search(folded):
        return Competence(CompetenceLevel.COMMUNE, CommuneBody.PEOPLE_COMMITTEE)
    if CITY_COMMITTEE.search(folded):
        code = "hn-ct-ubnd" if folded.startswith("chu tich") else "hn-ubnd"
        return Competence(CompetenceLevel.CITY, deciding_unit=code, receiving_units=(CENTER,))
    department = match_pattern(folded, DEPARTMENT_PATTERNS)
    if department is not None:
        return Competence(
            CompetenceLevel.DEPARTMENT, deciding_unit=department, receiving_units=(CENTER,)
        )
    central = match_pattern(folded, CENTRAL_LOCAL_PATTERNS)
    if central is not None:
        return Competence(
            CompetenceLevel.CENTRAL_LOCAL, deciding_unit=central, receiving_units=(central,)
        )
    if MINISTRY.search(folded):
        return Competence(CompetenceLevel.MINISTRY)
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
    return Competence(CompetenceLevel.DEPARTMENT, deciding_unit=local, receiving_units=(CENTER,))


def competence_of(
    bodies: Iterable[str | None], *, name: str = "", promulgating_body: str = ""
) -> Competence:
    """The lowest level among the executing bodies decides where Hà Nội receives the procedure.

    A procedure done "by the commune or the department" is received at commune level first: that is
    the one-stop door closest to the applicant (Decree 118/2025 boundary-free reception).
    """
    parts = split_bodies(bodies)
    placed = [c for c in (body_competence(part) for part in parts) if c is not None]
    if not placed:
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
    ]
    return min(placed, key=lambda c: order.index(CompetenceLevel(c.level)))

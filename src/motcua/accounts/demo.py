"""Demo accounts for the embedded install: one officer per role in five units, citizens, a business.

Idempotent: running it again keeps existing accounts and only adds what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from motcua.common.clock import now
from motcua.organizations.models import Unit
from motcua.organizations.selectors import city_root_ids

from .constants import OfficerRoleName
from .models import CitizenProfile, User
from .services import business_create, citizen_create, officer_role_grant

DEMO_UNITS = {
    "cn1": "hn-pvhcc-cn01",
    "stp": "hn-so-tu-phap",
    "hoankiem": "hn-phuong-hoan-kiem",
    "ca-hoankiem": "hn-cong-an-phuong-hoan-kiem",
    "bhxh": "hn-bhxh",
}
ROLE_SUFFIX = {
    OfficerRoleName.RECEPTION: "tiepnhan",
    OfficerRoleName.SPECIALIST: "chuyenvien",
    OfficerRoleName.DIVISION_HEAD: "truongphong",
    OfficerRoleName.LEADER: "lanhdao",
    OfficerRoleName.SUPERVISOR: "giamsat",
    OfficerRoleName.ADMINISTRATOR: "quantri",
}
DEMO_CITIZENS: list[dict[str, Any]] = [
    {"full_name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678",
     "email": "an.nguyen@example.com", "address": "12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội"},
    {"full_name": "Trần Thị Bình", "id_number": "001195006789", "phone": "0987654321",
     "email": "binh.tran@example.com", "address": "5 Kim Mã, phường Ba Đình, Hà Nội"},
]  # fmt: skip
DEMO_BUSINESS = {
    "name": "Công ty TNHH Sen Vàng (dữ liệu mẫu)",
    "tax_code": "0109876543",
    "representative": "Lê Minh Châu",
    "email": "lienhe@senvang.example.com",
}
SUPERUSER = "quantri"
# Deputies who sign for their head ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH") under a delegation that
# ``motcua.authority.demo`` records: (unit prefix, username suffix, name, title).
DEMO_DEPUTIES = [("hoankiem", "phochutich", "Nguyễn Thu Hà", "Phó Chủ tịch")]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    description: str


def officer_username(prefix: str, role: str) -> str:
    return f"{prefix}.{ROLE_SUFFIX[OfficerRoleName(role)]}"


def ensure_officer(prefix: str, unit: Unit, role: str, password: str) -> DemoLogin:
    username = officer_username(prefix, role)
    label = OfficerRoleName(role).label
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": f"{label} — {unit.short_name or unit.name}", "home_unit": unit},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    officer_role_grant(actor=None, officer=user, unit=unit, role=role, at=now())
    return DemoLogin(username, f"{label} — {unit.name}")


CITY_SUPERVISOR = "thanhpho.giamsat"


def ensure_city_supervisor(password: str) -> DemoLogin:
    """The city's supervisor: a supervisor's role (which covers the units below it) at the top
    of every tree of units that handle Hà Nội's dossiers, so that the police, social insurance
    and tax offices, outside the "Thành phố Hà Nội" tree, are in scope too (issue 17)."""
    user, created = User.objects.get_or_create(
        username=CITY_SUPERVISOR, defaults={"full_name": "Giám sát — Thành phố Hà Nội"}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    for unit in Unit.objects.filter(pk__in=city_root_ids()).order_by("code"):
        officer_role_grant(
            actor=None, officer=user, unit=unit, role=OfficerRoleName.SUPERVISOR, at=now()
        )
    return DemoLogin(
        CITY_SUPERVISOR,
        "Giám sát toàn thành phố, cả cơ quan ngành dọc / city-wide supervisor, central agencies' "
        "local offices included",
    )


def ensure_deputy(
    prefix: str, unit: Unit, suffix: str, name: str, title: str, password: str
) -> DemoLogin:
    """A leader of the unit whose title makes them a deputy: they sign only under a delegation."""
    username = f"{prefix}.{suffix}"
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": name})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    officer_role_grant(
        actor=None, officer=user, unit=unit, role=OfficerRoleName.LEADER, at=now(), title=title
    )
    return DemoLogin(username, f"{title} — {unit.name} (ký thay Chủ tịch: KT.)")


def ensure_superuser(password: str) -> DemoLogin:
    user, created = User.objects.get_or_create(
        username=SUPERUSER,
        defaults={"full_name": "Quản trị hệ thống", "is_staff": True, "is_superuser": True},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return DemoLogin(SUPERUSER, "Quản trị hệ thống (Django admin) / system administrator")


def ensure_citizens(password: str) -> list[DemoLogin]:
    logins = []
    for citizen in DEMO_CITIZENS:
        if not CitizenProfile.objects.filter(id_number=citizen["id_number"]).exists():
            citizen_create(password=password, **citizen)
        logins.append(DemoLogin(citizen["id_number"], f"Công dân / citizen {citizen['full_name']}"))
    return logins


def ensure_business(password: str) -> DemoLogin:
    if not User.objects.filter(business_profile__tax_code=DEMO_BUSINESS["tax_code"]).exists():
        business_create(password=password, **DEMO_BUSINESS)
    return DemoLogin(DEMO_BUSINESS["tax_code"], f"Doanh nghiệp / business {DEMO_BUSINESS['name']}")


def demo_accounts_ensure(*, password: str) -> list[DemoLogin]:
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=DEMO_UNITS.values())}
    missing = sorted(set(DEMO_UNITS.values()) - set(units))
    if missing:
        raise LookupError(
            "Chưa nạp các đơn vị / units not loaded (run `motcua load-units`): "
            + ", ".join(missing)
        )
    with transaction.atomic():
        logins = [ensure_superuser(password)]
        for prefix, code in DEMO_UNITS.items():
            for role in OfficerRoleName.values:
                logins.append(ensure_officer(prefix, units[code], role, password))
        logins.append(ensure_city_supervisor(password))
        for prefix, suffix, name, title in DEMO_DEPUTIES:
            unit = units[DEMO_UNITS[prefix]]
            logins.append(ensure_deputy(prefix, unit, suffix, name, title, password))
        logins.extend(ensure_citizens(password))
        logins.append(ensure_business(password))
    return logins

"""Who signs: a unit, named as its certificate names it, and the errors of signing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from motcua.organizations.models import Unit

# Unit codes are slugs; they name the unit's key files, so nothing else is let through.
CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")


@dataclass(frozen=True)
class SigningUnit:
    """The issuing unit as its certificate names it: CN = the unit, O = the authority above it."""

    code: str
    name: str
    authority: str

    @classmethod
    def of(cls, unit: Unit) -> SigningUnit:
        parent = unit.parent
        return cls(code=unit.code, name=unit.name, authority=parent.name if parent else unit.name)

    def __post_init__(self) -> None:
        if not CODE.fullmatch(self.code):
            raise SigningUnavailable(self, "mã đơn vị không dùng được làm tên tệp khóa")


class SigningUnavailable(RuntimeError):
    """A unit cannot sign now (no key configured, a wrong passphrase, an expired certificate).

    Never caught to issue a document unsigned: the worker's task fails, a download fails, and
    the message says which unit and why, so an operator can fix the configuration."""

    def __init__(self, unit: SigningUnit | str, why: str) -> None:
        self.unit = unit.name if isinstance(unit, SigningUnit) else unit
        self.why = why
        code = f" ({unit.code})" if isinstance(unit, SigningUnit) else ""
        super().__init__(
            f"Không ký số được văn bản của đơn vị «{self.unit}»{code}: {why}. "
            "Văn bản chưa được lưu; cấu hình chứng thư số của đơn vị rồi thử lại "
            "(docs/decisions/0010-signed-documents.md)."
        )

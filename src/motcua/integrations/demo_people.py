"""The people of the demo, as the population registry sandbox holds them and the VNeID sandbox
vouches for them: one list, so a demo sign-in through VNeID finds its registry record (the
e-form's prefill) and the demo citizen accounts of ``make run`` (``accounts.demo``) by the same
personal ID numbers. Made-up data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    id_number: str
    name: str
    birth_date: str  # ISO date
    sex: str
    address: str  # permanent address (nơi thường trú)
    household: tuple[str, ...]
    level: int  # what VNeID vouches for: 2 chip card checked, 0 unverified

    def registry_facts(self) -> dict[str, object]:
        return {
            "name": self.name, "birth_date": self.birth_date, "sex": self.sex,
            "address": self.address, "household": list(self.household),
        }  # fmt: skip


DEMO_PEOPLE = (
    DemoPerson(
        "001090012345", "Nguyễn Văn An", "1990-03-12", "Nam",
        "12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", ("Nguyễn Văn An", "Phạm Thị Hoa"), 2,
    ),
    DemoPerson(
        "001195006789", "Trần Thị Bình", "1995-07-25", "Nữ",
        "5 Kim Mã, phường Ba Đình, Hà Nội", ("Trần Thị Bình",), 2,
    ),
    DemoPerson(
        "001095011122", "Lê Minh Cường", "1995-11-02", "Nam",
        "20 Trần Phú, phường Hà Đông, Hà Nội", ("Lê Minh Cường",), 0,
    ),
)  # fmt: skip

"""What browser journeys share on the citizen's side: reading the code the server "sent" by SMS
(the embedded SMS gateway writes each message as a file in the live server's var folder) and
adding counter dossiers to an account with it; signing up and signing in with an ID number."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.signin import password_sign_in


@dataclass(frozen=True)
class Citizen:
    """A citizen account a journey creates (``register``) and then signs in with."""

    full_name: str
    id_number: str
    phone: str
    email: str
    password: str


def register(page: Any, live_app: str, who: Citizen) -> None:
    page.goto(live_app + "/dang-ky/")
    page.fill("#id_full_name", who.full_name)
    page.fill("#id_id_number", who.id_number)
    page.fill("#id_phone", who.phone)
    page.fill("#id_email", who.email)
    page.fill("#id_password1", who.password)
    page.fill("#id_password2", who.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo tài khoản").click()
    assert "Đã tạo tài khoản" in page.content()


def citizen_sign_in(page: Any, live_app: str, who: Citizen) -> None:
    password_sign_in(page, live_app, who.id_number, who.password)


def sms_code(live_var: Path, phone: str, after: float, seconds: float = 20) -> str:
    """The 6-digit code in the newest SMS to ``phone`` written after ``after`` (epoch seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted((live_var / "sms").glob("*.json"), key=lambda p: -p.stat().st_mtime):
            record = json.loads(path.read_text(encoding="utf-8"))
            found = re.search(r"\b(\d{6})\b", record["text"])
            if record["to"] == phone and path.stat().st_mtime >= after and found:
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no code was sent to {phone}")


def send_code_to(page: Any, phone: str) -> float:
    """Type the phone given at the counter and ask for the code."""
    sent_after = time.time() - 1
    page.fill("#id_proof-contact", phone)
    page.get_by_role("button", name="Gửi mã xác nhận").click()
    page.wait_for_url("**/nhap-ma/")
    return sent_after


def enter_code(page: Any, code: str) -> None:
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()


def claim_with_code(page: Any, live_app: str, live_var: Path, phone: str) -> None:
    """A signed-in citizen adds the counter dossiers that record ``phone`` to their account."""
    page.goto(live_app + "/ho-so-cua-toi/nhan-ho-so/")
    sent_after = send_code_to(page, phone)
    enter_code(page, sms_code(live_var, phone, sent_after))
    assert page.url.endswith("/ho-so-cua-toi/"), page.url

"""Linked bundles (liên thông) in real Chromium, with the national registries as a real HTTP
server and the background worker running the saga.

A citizen applies online, once, for birth registration + permanent residence + health-insurance
card at Phường Hoàn Kiếm; the ward's officers register the birth; the ward police and social
insurance find their members in their own worklists, with the child's facts and the e-birth
certificate's number already there (nobody retypes anything); the citizen sees the three results
on one page. Then the same for a death bundle received at the ward's counter.

The journeys run on a copy of the prepared demo data, with their own server and worker, so that
the worker never runs the tasks other journeys left queued on purpose.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.signin import password_sign_in

from .conftest import ARTIFACTS, PREPARED, copy_prepared, served, server_env
from .officer import PASSWORD, act, sign_in

pytestmark = pytest.mark.e2e
TOKEN = "e2e-registry-token"
CITIZEN = "001090012345"  # demo citizen Nguyễn Văn An
WAIT_SECONDS = 60


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bundle-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def registries() -> Iterator[Any]:
    from motcua.integrations.registry.sandbox import RegistrySandbox

    sandbox = RegistrySandbox(token=TOKEN).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def bundle_app(
    live_app: str, registries: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A server and a worker on a copy of the demo data, writing to the registry sandbox."""
    var = tmp_path_factory.mktemp("e2e-bundles")
    copy_prepared(PREPARED["var"], var)
    env = server_env(var, MOTCUA_REGISTRY_URL=registries.url, MOTCUA_REGISTRY_TOKEN=TOKEN)
    worker = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "db_worker", "--no-reload", "--interval", "0.5",
         "--queue-name", "*"],
        env=env, stdout=subprocess.DEVNULL, stderr=(var / "worker.log").open("w"),
    )  # fmt: skip
    try:
        with served(env, workers=2) as url:
            yield url
    finally:
        worker.terminate()
        worker.wait(timeout=15)


def citizen_sign_in(page: Any, app: str) -> None:
    password_sign_in(page, app, CITIZEN, PASSWORD)


def decide(page: Any, app: str, prefix: str, dossier_url: str, note: str) -> None:
    """The unit's specialist hands the dossier to signing (when the process has that step), the
    leader signs."""
    sign_in(page, app, f"{prefix}.chuyenvien")
    page.goto(dossier_url)
    if page.locator("#action-forward").count():
        act(page, "forward", {"reason": "Đủ điều kiện, trình ký"})
    sign_in(page, app, f"{prefix}.lanhdao")
    page.goto(dossier_url)
    act(page, "approve", {"reason": note})


def until(page: Any, url: str, check: Any, what: str) -> None:
    """Reload ``url`` until ``check(page)`` holds: the worker runs the saga in the background."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        page.goto(url)
        if check(page):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_SECONDS} s for {what}")
        time.sleep(1)


def member_row(page: Any, service: str) -> Any:
    return page.locator(f"#member-{service}")


def receive_member(
    page: Any, app: str, prefix: str, code: str, facts: list[str], procedure: str
) -> str:
    """The agency's counter finds its member in its own worklist ("to receive"), marked with the
    bundle's code, sees the facts already there, and receives it. Returns the dossier's URL."""
    sign_in(page, app, f"{prefix}.tiepnhan")
    worklist = app + "/can-bo/ho-so/?tab=to_receive"
    until(page, worklist, lambda p: code in p.content(), f"{prefix} to get its member")
    row = page.locator("tr", has=page.locator(".bundle-badge", has_text=code)).filter(
        has_text=procedure
    )
    row.locator("td a").first.click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    panel = page.locator("#bundle-panel")
    for fact in facts:  # carried over, never retyped
        assert fact in panel.inner_text(), fact
    url = str(page.url)
    act(page, "receive")
    return url


def test_a_citizen_applies_online_once_and_sees_three_results(
    page: Any, bundle_app: str, registries: Any
) -> None:
    app = bundle_app
    # 1. The citizen chooses the bundle from the birth registration's online page.
    citizen_sign_in(page, app)
    page.goto(app + "/nop-truc-tuyen/1.001193/")
    page.locator("#bundle-offer").get_by_role("link", name="Nộp hồ sơ liên thông").click()
    page.wait_for_url("**/nop-lien-thong/birth/")
    assert CITIZEN in page.locator("#applicant").inner_text()  # from the account
    for service in ("birth_registration", "permanent_residence", "health_insurance_card"):
        assert page.locator(f"#service-{service}").is_checked()
    page.select_option("#unit", label="Phường Hoàn Kiếm")
    page.fill("#subject-child_name", "Nguyễn Minh Khang")
    page.fill("#subject-birth_date", "20/11/2026")
    page.select_option("#subject-sex", "nam")
    page.fill("#subject-birth_place", "Bệnh viện Phụ sản Hà Nội")
    page.fill("#subject-mother_name", "Trần Thị Bình")
    page.fill("#subject-mother_id_number", "001195006789")
    page.fill("#subject-father_name", "Nguyễn Văn An")
    page.fill("#subject-residence_address", "12 Hàng Bạc, phường Hoàn Kiếm")
    shot(page, "1-birth-form")
    page.get_by_role("button", name="Nộp hồ sơ liên thông").click()
    page.wait_for_url("**/ho-so-lien-thong/*/")
    status_url = str(page.url)
    assert "Đã nộp, chờ tiếp nhận" in page.locator("#bundle-status").inner_text()
    assert page.locator(".bundle-members tbody tr").count() == 3

    # 2. The ward receives the birth registration; its code becomes the bundle's code.
    sign_in(page, app, "hoankiem.tiepnhan")
    page.goto(app + "/can-bo/lien-thong/")
    page.locator("#bundle-list a").first.click()
    page.locator("#member-birth_registration a").first.click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    birth_url = str(page.url)
    assert "Nguyễn Minh Khang" in page.locator("#bundle-panel").inner_text()
    act(page, "receive")
    code = re.search(r"H26\.\d+-\d{6}-\d{4}", page.locator("h1").inner_text()).group(0)
    decide(page, app, "hoankiem", birth_url, "Đồng ý đăng ký khai sinh")
    shot(page, "2-birth-registered")

    # 3. The police and social insurance get their members from the saga, nothing retyped.
    facts = ["Nguyễn Minh Khang", "Trần Thị Bình", "12 Hàng Bạc, phường Hoàn Kiếm"]
    police_url = receive_member(page, app, "ca-hoankiem", code, facts, "thường trú")
    birth_number = re.search(r"KS-\d{6}", page.locator("#bundle-panel").inner_text())
    assert birth_number, "the e-birth certificate's number came with the member"
    shot(page, "3-police-member")
    decide(page, app, "ca-hoankiem", police_url, "Đồng ý đăng ký thường trú")
    bhxh_url = receive_member(page, app, "bhxh", code, facts, "bảo hiểm y tế")
    decide(page, app, "bhxh", bhxh_url, "Đồng ý cấp thẻ bảo hiểm y tế")

    # 4. The citizen sees the three results on one page.
    citizen_sign_in(page, app)
    until(page, status_url, lambda p: "Đã có đủ kết quả" in p.locator("#bundle-status").inner_text(),
          "the three results")  # fmt: skip
    assert page.locator("#bundle-code").inner_text() == code
    numbers = {
        service: member_row(page, service).locator(".result-number").first.inner_text()
        for service in ("birth_registration", "permanent_residence", "health_insurance_card")
    }
    assert numbers["birth_registration"] == birth_number.group(0)
    assert numbers["permanent_residence"].startswith("TT-")
    assert numbers["health_insurance_card"].startswith("TE1")
    shot(page, "4-three-results")
    page.get_by_role("link", name="Giấy tiếp nhận hồ sơ liên thông").click()
    assert page.locator("#receipt-code").inner_text() == code
    recorded = {(r["system"], r["operation"]) for r in registries.recorded()}
    assert {("civil_status", "birth"), ("population", "residence_register"),
            ("social_insurance", "health_card")} <= recorded  # fmt: skip


def test_a_death_bundle_received_at_the_counter(
    page: Any, bundle_app: str, registries: Any
) -> None:
    app = bundle_app
    # 1. The ward's counter receives the death bundle: one code, one receipt.
    sign_in(page, app, "hoankiem.tiepnhan")
    page.goto(app + "/can-bo/tiep-nhan/")
    page.get_by_role("link", name=re.compile("khai tử – xóa thường trú")).click()
    page.wait_for_url("**/can-bo/tiep-nhan/lien-thong/death/")
    page.fill("#name", "Lê Thị Hoa")
    page.fill("#id_number", "001180004321")
    page.fill("#phone", "0904000111")
    assert page.locator("#service-funeral_allowance").is_checked()
    assert not page.locator("#service-survivor_allowance").is_checked()  # chosen on purpose
    page.fill("#subject-deceased_name", "Lê Văn Tư")
    page.fill("#subject-deceased_id_number", "001045001234")
    page.fill("#subject-death_date", "01/11/2026")
    page.fill("#subject-death_place", "Bệnh viện Bạch Mai")
    page.fill("#subject-relationship", "con")
    page.select_option("#subject-funeral_payer", "social_insurance")
    page.get_by_role("button", name="Tiếp nhận hồ sơ liên thông").click()
    page.wait_for_url("**/can-bo/lien-thong/*/")
    bundle_url = str(page.url)
    code = re.search(r"H26\.\d+-\d{6}-\d{4}", page.locator("h1").inner_text()).group(0)
    page.get_by_role("link", name="Giấy tiếp nhận hồ sơ liên thông").click()
    assert page.locator("#receipt-code").inner_text() == code
    shot(page, "5-death-receipt")

    # 2. The ward registers the death.
    page.goto(bundle_url)
    page.locator("#member-death_registration a").first.click()
    page.wait_for_url("**/can-bo/ho-so/*/")
    decide(page, app, "hoankiem", str(page.url), "Đồng ý đăng ký khai tử")

    # 3. Police and social insurance get their members, with the deceased's facts.
    facts = ["Lê Văn Tư", "001045001234"]
    police_url = receive_member(page, app, "ca-hoankiem", code, facts, "thường trú")
    decide(page, app, "ca-hoankiem", police_url, "Xóa đăng ký thường trú")
    bhxh_url = receive_member(page, app, "bhxh", code, facts, "mai táng")
    decide(page, app, "bhxh", bhxh_url, "Đồng ý trợ cấp mai táng")

    # 4. The receiving ward sees the whole bundle done, the three results on one page.
    sign_in(page, app, "hoankiem.tiepnhan")
    until(page, bundle_url, lambda p: "Đã có đủ kết quả" in p.locator("#bundle-status").inner_text(),
          "the death bundle's results")  # fmt: skip
    numbers = [
        member_row(page, service).locator(".result-number").first.inner_text()
        for service in ("death_registration", "residence_removal", "funeral_allowance")
    ]
    assert [n[:3] for n in numbers] == ["KT-", "XT-", "MT-"]
    shot(page, "6-death-done")

"""A citizen who signed up with a phone number and no e-mail gets a new password with a one-time
code sent through the SMS adapter to the SMS sandbox (a real HTTP server) by the worker: the
code expires, has five tries, codes are limited per phone and per address, and the request
answers and writes the same whether or not an account holds the numbers typed, SMS outage or
not (the worker's task sends the code, and tries again)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import User
from motcua.accounts.services import citizen_create
from motcua.common.clock import now
from motcua.integrations.notify.sandbox import SmsSandbox
from motcua.portal import ownership, recovery
from motcua.portal.models import OwnershipChallenge
from tests.factories import PASSWORD
from tests.notifications.conftest import run_worker

TOKEN = "recovery-sms-token"
NUMBER, PHONE = "001190005555", "0912555666"
NEW = "Mat-khau-moi-that-dai-9"
TASK = recovery.recovery_code_task.module_path


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SmsSandbox]:
    server = SmsSandbox(token=TOKEN).start()
    settings.MOTCUA_SMS_BACKEND, settings.MOTCUA_SMS_URL = "http", server.url
    settings.MOTCUA_SMS_TOKEN, settings.MOTCUA_SMS_TIMEOUT = TOKEN, 5
    yield server
    server.stop()


@pytest.fixture
def phone_only(db: None) -> User:
    return citizen_create(
        full_name="Đỗ Thị Lan", id_number=NUMBER, password=PASSWORD, phone=PHONE, email=""
    )


def ask(client: Client, number: str = NUMBER, phone: str = PHONE) -> HttpResponse:
    response: HttpResponse = client.post(
        reverse("portal:recover-phone"), {"id_number": number, "phone": phone}
    )
    return response


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TASK, status="READY").order_by("pk"))


def retry_now() -> None:
    """The worker's retry, due at once (instead of waiting out the back-off)."""
    DBTaskResult.objects.filter(task_path=TASK, status="READY").update(run_after=now())


def writes(client: Client, number: str, phone: str) -> tuple[HttpResponse, list[str]]:
    """The request's answer and its writes: statement kind and table, in order."""
    with CaptureQueriesContext(connection) as queries:
        response = ask(client, number, phone)
    found = []
    for query in queries.captured_queries:
        sql = query["sql"].lstrip().upper()
        if sql.startswith(("INSERT", "UPDATE", "DELETE")):
            table = re.search(r'(?:INTO|UPDATE|FROM)\s+"?(\w+)', sql)
            found.append(f"{sql.split()[0]} {table.group(1) if table else '?'}")
    return response, found


def said(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def code_in(sandbox: SmsSandbox) -> str:
    found = re.search(r"\b(\d{6})\b", sandbox.received()[-1]["text"])
    assert found is not None
    return found.group(1)


def answer(client: Client, code: str, password: str = NEW) -> HttpResponse:
    response: HttpResponse = client.post(
        reverse("portal:recover-phone-code"),
        {"code": code, "password1": password, "password2": password},
    )
    return response


def test_the_code_reaches_the_phone_through_the_worker_and_sets_a_new_password(
    sandbox: SmsSandbox, phone_only: User
) -> None:
    client = Client()
    assert client.get(reverse("portal:recover-phone")).status_code == 200
    asked = ask(client, "001 190 005 555", "+84 912 555 666")  # typed as people type them
    assert asked["Location"] == reverse("portal:recover-phone-code")
    assert sandbox.received() == []  # nothing sent inside the request
    [task] = queued()
    assert set(task.args_kwargs["kwargs"]) == {"challenge_id"}  # no code in the queue
    run_worker()
    [message] = sandbox.received()
    assert message["to"] == PHONE
    assert "khoi phuc mat khau" in message["text"]
    done = answer(client, code_in(sandbox))
    assert done["Location"] == reverse("login")
    phone_only.refresh_from_db()
    assert phone_only.check_password(NEW)
    assert not phone_only.check_password(PASSWORD)
    # The code is used up: the page starts again.
    assert answer(Client(), code_in(sandbox))["Location"] == reverse("portal:recover-phone")
    run_worker()  # nothing left to do: no second code
    assert len(sandbox.received()) == 1


def test_the_request_answers_and_writes_the_same_whether_or_not_an_account_holds_the_numbers(
    sandbox: SmsSandbox, phone_only: User
) -> None:
    known, known_writes = writes(Client(), NUMBER, PHONE)
    challenge_and_task = {
        "INSERT PORTAL_OWNERSHIPCHALLENGE", "INSERT DJANGO_TASKS_DATABASE_DBTASKRESULT"
    }  # fmt: skip
    assert challenge_and_task <= set(known_writes)
    for number, phone in [(NUMBER, "0912000000"), ("001190009999", PHONE)]:
        unknown, unknown_writes = writes(Client(), number, phone)
        assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
        assert said(unknown) == said(known)
        assert unknown_writes == known_writes
    challenges = OwnershipChallenge.objects.filter(purpose=recovery.RECOVER)
    assert challenges.count() == len(queued()) == 3  # one challenge and one task per request
    assert set(challenges.values_list("code_hash", flat=True)) == {""}  # no code made yet
    assert sandbox.received() == []  # no SMS during any request
    run_worker()
    [message] = sandbox.received()  # only the account's own phone got a code
    assert message["to"] == PHONE
    assert challenges.exclude(code_hash="").count() == 1


def test_an_sms_outage_is_the_workers_the_page_answers_alike_and_the_code_comes_later(
    sandbox: SmsSandbox, phone_only: User
) -> None:
    unknown = ask(Client(), NUMBER, "0912000000")
    sandbox.fail_next(1)
    client = Client()
    known = ask(client)
    assert (known.status_code, known["Location"], said(known)) == (
        unknown.status_code, unknown["Location"], said(unknown)
    )  # fmt: skip
    run_worker()
    assert sandbox.received() == []  # the provider was down
    [retry] = queued()  # tried again later, the challenge still open
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > now()
    challenge = OwnershipChallenge.objects.get(recipient=PHONE)
    assert (challenge.code_hash, challenge.used_at) == ("", None)
    retry_now()
    run_worker()
    assert answer(client, code_in(sandbox))["Location"] == reverse("login")
    phone_only.refresh_from_db()
    assert phone_only.check_password(NEW)


def test_a_long_outage_makes_the_challenge_unusable_after_the_last_try(
    sandbox: SmsSandbox, phone_only: User
) -> None:
    client = Client()
    ask(client)
    sandbox.fail_next(recovery.MAX_SEND_ATTEMPTS)
    for _try in range(recovery.MAX_SEND_ATTEMPTS):
        retry_now()
        run_worker()
    assert sandbox.received() == []
    assert queued() == []  # given up
    challenge = OwnershipChallenge.objects.get(recipient=PHONE)
    assert challenge.used_at is not None
    spent = answer(client, "123456")
    assert spent["Location"] == reverse("portal:recover-phone")
    assert "hết hạn" in said(spent)[-1]


def test_an_officers_account_is_never_recovered_by_phone(
    sandbox: SmsSandbox, phone_only: User
) -> None:
    phone_only.is_staff = True
    phone_only.save()
    ask(Client())
    run_worker()
    assert sandbox.received() == []


@pytest.mark.parametrize("bound", ["vneid", "unusable_password"])
def test_an_account_bound_to_vneid_gets_no_password_back_by_phone(
    sandbox: SmsSandbox, phone_only: User, bound: str
) -> None:
    """Binding VNeID made the old password unusable; a phone someone once put on the account
    must not bring one back (its owner signs in through VNeID)."""
    if bound == "vneid":
        profile = phone_only.citizen_profile
        profile.identity_level, profile.identity_verified_at = 2, now()
        profile.save()
    else:
        phone_only.set_unusable_password()
        phone_only.save()
    ask(Client())
    run_worker()
    assert sandbox.received() == []


def test_five_wrong_codes_use_the_code_up_and_a_weak_password_costs_no_try(
    sandbox: SmsSandbox, phone_only: User
) -> None:
    client = Client()
    ask(client)
    run_worker()
    right = code_in(sandbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    assert answer(client, wrong, "123").status_code == 200  # refused before the code is tried
    for left in (4, 3, 2, 1):
        page = answer(client, wrong).content.decode()
        assert f"Còn {left} lần thử" in page
    spent = answer(client, wrong)
    assert spent["Location"] == reverse("portal:recover-phone")
    assert "hết hạn" in said(spent)[0]
    assert answer(client, right)["Location"] == reverse("portal:recover-phone")  # no session
    phone_only.refresh_from_db()
    assert phone_only.check_password(PASSWORD)


def test_a_code_expires_after_ten_minutes(sandbox: SmsSandbox, phone_only: User) -> None:
    start = now()
    challenge = recovery.recovery_start(id_number=NUMBER, phone=PHONE, ip="10.0.0.1", at=start)
    run_worker()
    late = start + datetime.timedelta(minutes=10, seconds=1)
    with pytest.raises(ownership.CodeExpired):
        recovery.password_reset(
            challenge_id=challenge.pk, code=code_in(sandbox), password=NEW, at=late
        )
    phone_only.refresh_from_db()
    assert phone_only.check_password(PASSWORD)


def test_codes_are_limited_per_phone_and_per_address(sandbox: SmsSandbox, phone_only: User) -> None:
    at = now()
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # one phone, from three addresses
        recovery.recovery_start(id_number=NUMBER, phone=PHONE, ip=ip, at=at)
    with pytest.raises(ownership.TooManyCodes):
        recovery.recovery_start(id_number=NUMBER, phone=PHONE, ip="10.0.0.4", at=at)
    for n in range(5):  # one address, five phones (none of them an account's: counted alike)
        recovery.recovery_start(id_number=NUMBER, phone=f"091000000{n}", ip="10.9.9.9", at=at)
    with pytest.raises(ownership.TooManyCodes):
        recovery.recovery_start(id_number=NUMBER, phone="0910000009", ip="10.9.9.9", at=at)
    # An hour later the phone may be sent a code again.
    later = at + datetime.timedelta(hours=1, minutes=1)
    recovery.recovery_start(id_number=NUMBER, phone=PHONE, ip="10.0.0.4", at=later)
    assert len(queued()) == 9  # every challenge has its task, refused ones none
    run_worker()
    assert len(sandbox.received()) == 4
    refused = ask(Client(), NUMBER, PHONE)  # the page says it (429, no 500), queues nothing
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Đã gửi quá nhiều mã xác nhận trong một giờ" in refused.content.decode()
    assert queued() == []
    run_worker()
    assert len(sandbox.received()) == 4


def test_the_password_reset_page_offers_the_phone_way() -> None:
    page = Client().get(reverse("password_reset")).content.decode()
    assert reverse("portal:recover-phone") in page

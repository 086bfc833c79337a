"""An ID number typed at sign-up is no proof: counter dossiers need a code sent to the applicant.

The impostor scenario of issue 11: someone signs up with another person's ID number. They must
see, download and do nothing with that person's counter dossiers; the real person proves
ownership with a one-time code sent to the phone the officer recorded, and takes the ID back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import CitizenProfile, User
from motcua.common.errors import NotAllowed
from motcua.dossiers import services as s
from motcua.dossiers.models import ApplicantLink, Dossier
from motcua.organizations.models import Unit
from motcua.portal import ownership
from motcua.portal.models import OwnershipChallenge
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, residence

pytestmark = pytest.mark.django_db

VICTIM_ID = "001090012345"
VICTIM_PHONE = "0987654321"
PASSWORD = "Mot-cua-2026!"


@pytest.fixture(autouse=True)
def sms_in_a_folder(settings: Any, tmp_path: Path) -> Path:
    settings.MOTCUA_SMS_BACKEND = "file"
    settings.MOTCUA_SMS_DIR = tmp_path / "sms"
    return settings.MOTCUA_SMS_DIR


def counter_dossier(staff: Staff, phone: str = VICTIM_PHONE, id_number: str = VICTIM_ID) -> Dossier:
    dossier = s.dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=s.Applicant("Lê Văn Cường", id_number, phone=phone), channel="counter",
        at=at("2026-03-02 09:00"), actor=staff.reception,
    )  # fmt: skip
    return s.dossier_receive(dossier=dossier, actor=staff.reception, at=at("2026-03-02 09:00"))


def sign_up(client: Client, id_number: str, phone: str = "0911000111") -> Any:
    return client.post(
        reverse("portal:sign-up"),
        {
            "full_name": "Người Đăng Ký", "id_number": id_number, "phone": phone,
            "email": "", "password1": PASSWORD, "password2": PASSWORD,
        },
    )  # fmt: skip


def last_code(folder: Path) -> str:
    newest = max(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    record = json.loads(newest.read_text(encoding="utf-8"))
    found = re.search(r"\b(\d{6})\b", record["text"])
    assert found, record
    return found.group(1)


def messages_to(folder: Path, phone: str) -> int:
    return sum(
        json.loads(p.read_text(encoding="utf-8"))["to"] == phone for p in folder.glob("*.json")
    )


def answered(
    folder: Path, *, purpose: str, contact: ownership.Contact, user: User | None
) -> OwnershipChallenge:
    """A code for the victim's ID number sent to ``contact`` at 10:00, answered right at 10:01."""
    challenge = ownership.challenge_send(
        purpose=purpose, id_number=VICTIM_ID, contact=contact, user=user, ip=None,
        at=at("2026-03-02 10:00"),
    )  # fmt: skip
    ownership.challenge_answer(
        challenge_id=challenge.pk, code=last_code(folder), at=at("2026-03-02 10:01")
    )
    return challenge


def assert_reclaim_refused(folder: Path) -> None:
    """The victim's phone answers a reclaim code at sign-up, and the reclaim is refused."""
    contact = ownership.Contact(ownership.SMS, VICTIM_PHONE)
    challenge = answered(folder, purpose=ownership.RECLAIM, contact=contact, user=None)
    registration = ownership.Registration("Người Mới", VICTIM_ID, VICTIM_PHONE, "", "!")
    with pytest.raises(ownership.ReclaimRefused):
        ownership.account_reclaim(
            registration=registration, challenge=challenge, at=at("2026-03-02 10:02")
        )


def test_an_impostor_sees_nothing_of_the_applicants_counter_dossiers(staff: Staff) -> None:
    dossier = counter_dossier(staff)
    impostor = Client()
    assert sign_up(impostor, VICTIM_ID).status_code == 302  # no one held the number yet
    listing = impostor.get(reverse("portal:my-dossiers")).content.decode()
    assert dossier.code not in listing
    assert impostor.get(reverse("portal:my-dossier", args=[dossier.ref])).status_code == 404
    receipt = reverse("portal:legal-form", args=[dossier.ref, "tiep-nhan"])
    assert impostor.get(receipt).status_code == 404
    assert impostor.post(reverse("portal:withdraw", args=[dossier.ref])).status_code == 404
    assert impostor.get(reverse("portal:supplement", args=[dossier.ref])).status_code == 404


def test_the_kernel_refuses_an_impostors_withdrawal(staff: Staff) -> None:
    dossier = counter_dossier(staff)
    impostor = factories.citizen(id_number=VICTIM_ID, phone="0911000111")
    with pytest.raises(NotAllowed):
        s.dossier_withdraw(dossier=dossier, actor=impostor, at=at("2026-03-02 10:00"), reason="x")


def test_the_impostor_cannot_prove_with_the_code_sent_to_the_applicant(
    staff: Staff, sms_in_a_folder: Path
) -> None:
    dossier = counter_dossier(staff)
    impostor = Client()
    sign_up(impostor, VICTIM_ID)
    page = impostor.get(reverse("portal:claim")).content.decode()
    assert VICTIM_PHONE[-4:] not in page  # no contact of the dossiers is shown, even masked
    guessed = impostor.post(reverse("portal:claim"), {"proof-contact": "0911000111"}, follow=True)
    assert "mã xác nhận đã được gửi tới đó" in guessed.content.decode()  # the same answer…
    assert not list(sms_in_a_folder.glob("*.json"))  # …but nothing was sent
    impostor.post(reverse("portal:claim"), {"proof-contact": VICTIM_PHONE})  # knows the phone
    assert messages_to(sms_in_a_folder, VICTIM_PHONE) == 1  # the code went to the applicant
    wrong = impostor.post(reverse("portal:claim-code"), {"code": "000000"})
    assert "Mã xác nhận không đúng" in wrong.content.decode()
    assert not ApplicantLink.objects.filter(dossier=dossier).exists()


def test_the_real_applicant_takes_the_id_number_back_with_the_code(
    staff: Staff, sms_in_a_folder: Path
) -> None:
    dossier = counter_dossier(staff)
    sign_up(Client(), VICTIM_ID)  # the impostor came first
    impostor_account = User.objects.get(username=VICTIM_ID)
    real = Client()
    taken = sign_up(real, VICTIM_ID, phone=VICTIM_PHONE)
    assert taken.url == reverse("portal:id-taken")  # not a dead end
    page = real.get(taken.url).content.decode()
    assert "Quên mật khẩu" in page
    real.post(reverse("portal:id-taken"), {"proof-contact": VICTIM_PHONE})
    done = real.post(reverse("portal:id-taken-code"), {"code": last_code(sms_in_a_folder)})
    assert done.url == reverse("portal:my-dossiers")
    assert dossier.code in real.get(done.url).content.decode()
    impostor_account.refresh_from_db()
    assert not impostor_account.is_active
    holder = CitizenProfile.objects.get(id_number=VICTIM_ID).user
    assert holder.pk != impostor_account.pk
    assert holder.check_password(PASSWORD)


def test_a_signed_in_applicant_adds_counter_dossiers_with_the_code(
    staff: Staff, sms_in_a_folder: Path
) -> None:
    mine = counter_dossier(staff)
    other_phone = counter_dossier(staff, phone="0900111222")  # same ID, another phone
    someone_else = counter_dossier(staff, phone=VICTIM_PHONE, id_number="001195006789")
    citizen = factories.citizen(id_number=VICTIM_ID)
    client = Client()
    client.force_login(citizen)
    assert "Thêm hồ sơ nộp tại quầy" in client.get(reverse("portal:my-dossiers")).content.decode()
    client.post(reverse("portal:claim"), {"proof-contact": "+84 987 654 321"})
    client.post(reverse("portal:claim-code"), {"code": last_code(sms_in_a_folder)})
    listing = client.get(reverse("portal:my-dossiers")).content.decode()
    assert mine.code in listing
    assert other_phone.code not in listing  # that phone was not proved
    assert someone_else.code not in listing  # another person's ID number
    assert client.get(reverse("portal:my-dossier", args=[mine.ref])).status_code == 200


def test_codes_are_limited_per_hour_and_per_tries(staff: Staff) -> None:
    counter_dossier(staff)
    citizen = factories.citizen(id_number=VICTIM_ID)
    contact = ownership.contacts_for(VICTIM_ID, citizen)[0]
    send = {
        "purpose": ownership.LINK, "id_number": VICTIM_ID, "contact": contact, "user": citizen,
        "ip": None,
    }  # fmt: skip
    first = ownership.challenge_send(**send, at=at("2026-03-02 10:00"))
    for minute in (1, 2):
        ownership.challenge_send(**send, at=at(f"2026-03-02 10:0{minute}"))
    with pytest.raises(ownership.TooManyCodes):
        ownership.challenge_send(**send, at=at("2026-03-02 10:30"))
    for _try in range(ownership.MAX_TRIES - 1):
        with pytest.raises(ownership.WrongCode):
            ownership.challenge_answer(
                challenge_id=first.pk, code="999999", at=at("2026-03-02 10:05")
            )
    with pytest.raises(ownership.CodeExpired):
        ownership.challenge_answer(challenge_id=first.pk, code="999999", at=at("2026-03-02 10:05"))
    assert OwnershipChallenge.objects.get(pk=first.pk).code_hash != "999999"


def test_a_code_expires_after_ten_minutes(staff: Staff, sms_in_a_folder: Path) -> None:
    counter_dossier(staff)
    citizen = factories.citizen(id_number=VICTIM_ID)
    contact = ownership.contacts_for(VICTIM_ID, citizen)[0]
    challenge = ownership.challenge_send(
        purpose=ownership.LINK, id_number=VICTIM_ID, contact=contact, user=citizen, ip=None,
        at=at("2026-03-02 10:00"),
    )  # fmt: skip
    with pytest.raises(ownership.CodeExpired):
        ownership.challenge_answer(
            challenge_id=challenge.pk, code=last_code(sms_in_a_folder), at=at("2026-03-02 10:11")
        )


def test_an_account_that_proved_its_dossiers_keeps_its_id_number(
    staff: Staff, sms_in_a_folder: Path
) -> None:
    counter_dossier(staff)
    holder = factories.citizen(id_number=VICTIM_ID)
    contact = ownership.contacts_for(VICTIM_ID, holder)[0]
    proof = answered(sms_in_a_folder, purpose=ownership.LINK, contact=contact, user=holder)
    ownership.dossiers_link(user=holder, challenge=proof, at=at("2026-03-02 10:01"))
    sent = len(list(sms_in_a_folder.glob("*.json")))
    newcomer = Client()
    sign_up(newcomer, VICTIM_ID)
    newcomer.post(reverse("portal:id-taken"), {"proof-contact": VICTIM_PHONE})
    # Every counter dossier is proved by the holder: no code is sent for them any more.
    assert len(list(sms_in_a_folder.glob("*.json"))) == sent
    assert User.objects.get(pk=holder.pk).is_active


def test_a_reclaim_is_refused_when_the_holder_has_proved_ownership(
    staff: Staff, sms_in_a_folder: Path
) -> None:
    counter_dossier(staff)
    holder = factories.citizen(id_number=VICTIM_ID)
    ApplicantLink.objects.create(
        user=holder, dossier=counter_dossier(staff, phone="0900111222"), method="code_sms",
        linked_at=at("2026-03-02 10:00"),
    )  # fmt: skip
    assert_reclaim_refused(sms_in_a_folder)
    assert User.objects.get(pk=holder.pk).is_active


def test_a_reclaim_never_closes_an_account_bound_to_vneid(
    staff: Staff, sms_in_a_folder: Path
) -> None:
    """A level-2 identity is proof no SMS code outweighs (a phone an officer recorded on a
    counter dossier under the number must not take the account of its verified owner)."""
    counter_dossier(staff)
    holder = factories.citizen(id_number=VICTIM_ID)
    holder.citizen_profile.identity_level = 2
    holder.citizen_profile.identity_verified_at = at("2026-03-01 09:00")
    holder.citizen_profile.save()
    assert_reclaim_refused(sms_in_a_folder)
    assert User.objects.get(pk=holder.pk).is_active


def test_a_squatter_using_up_their_codes_does_not_block_the_reclaim(staff: Staff) -> None:
    counter_dossier(staff)
    squatter = factories.citizen(id_number=VICTIM_ID)
    contact = ownership.Contact(ownership.SMS, VICTIM_PHONE)
    for minute in range(ownership.MAX_CODES_PER_HOUR):
        ownership.challenge_send(
            purpose=ownership.LINK, id_number=VICTIM_ID, contact=contact, user=squatter,
            ip="10.0.0.66", at=at(f"2026-03-02 10:0{minute}"),
        )  # fmt: skip
    with pytest.raises(ownership.TooManyCodes):
        ownership.challenge_send(
            purpose=ownership.LINK, id_number=VICTIM_ID, contact=contact, user=squatter,
            ip="10.0.0.66", at=at("2026-03-02 10:05"),
        )  # fmt: skip
    reclaim = ownership.challenge_send(
        purpose=ownership.RECLAIM, id_number=VICTIM_ID, contact=contact, user=None,
        ip="10.0.0.7", at=at("2026-03-02 10:06"),
    )  # fmt: skip
    assert reclaim.pk


def test_no_one_floods_a_phone_with_codes(staff: Staff) -> None:
    counter_dossier(staff)
    contact = ownership.Contact(ownership.SMS, VICTIM_PHONE)
    for n in range(ownership.MAX_CODES_PER_RECIPIENT):
        ownership.challenge_send(
            purpose=ownership.RECLAIM, id_number=VICTIM_ID, contact=contact, user=None,
            ip=f"10.0.1.{n}", at=at(f"2026-03-02 10:0{n}"),
        )  # fmt: skip
    with pytest.raises(ownership.TooManyCodes):
        ownership.challenge_send(
            purpose=ownership.RECLAIM, id_number=VICTIM_ID, contact=contact, user=None,
            ip="10.0.1.99", at=at("2026-03-02 10:09"),
        )  # fmt: skip


def test_a_mistyped_code_is_explained_and_costs_no_try(staff: Staff) -> None:
    counter_dossier(staff)
    client = Client()
    sign_up(client, VICTIM_ID)
    client.post(reverse("portal:claim"), {"proof-contact": VICTIM_PHONE})
    typo = client.post(reverse("portal:claim-code"), {"code": "12a45"}).content.decode()
    assert "Mã xác nhận gồm đúng 6 chữ số." in typo
    assert OwnershipChallenge.objects.get().attempts == 0


def test_the_pages_never_tell_whether_an_id_number_has_counter_dossiers(staff: Staff) -> None:
    counter_dossier(staff)  # under VICTIM_ID; none under the other number
    answers = []
    for id_number in (VICTIM_ID, "001195006789"):
        client = Client()
        sign_up(client, id_number)
        listing = client.get(reverse("portal:my-dossiers")).content.decode()
        asked = client.post(reverse("portal:claim"), {"proof-contact": "0900000000"}, follow=True)
        answers.append((listing.count("Thêm hồ sơ nộp tại quầy"), asked.redirect_chain))
    assert answers[0] == answers[1]

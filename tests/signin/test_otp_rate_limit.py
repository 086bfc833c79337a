"""Second-factor codes typed are limited per account and client address (issue 18), on top of
django-otp's growing wait per device: past the limit, 429 with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from .helpers import enrolled_officer, signed_in, wrong_code

pytestmark = pytest.mark.django_db


def test_codes_typed_past_the_limit_get_a_429(settings: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "otp": "5/15"}
    user, device = enrolled_officer()  # the code typed at enrolment counts: one
    client = signed_in(user)
    for _ in range(4):
        answered = client.post(reverse("signin:verify"), {"otp_token": wrong_code(device)})
        assert answered.status_code == 200
    refused = client.post(reverse("signin:verify"), {"otp_token": wrong_code(device)})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert client.get(reverse("signin:verify")).status_code == 200  # the page itself is free
    elsewhere = signed_in(user)  # the same account from another address has its own budget
    other = elsewhere.post(
        reverse("signin:verify"), {"otp_token": wrong_code(device)}, REMOTE_ADDR="10.0.0.77"
    )
    assert other.status_code == 200

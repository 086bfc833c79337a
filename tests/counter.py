"""Posting the counter reception form as its page does: with a fresh one-time form token."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from motcua.dossiers.reception_token import token_new


def counter_post(client: Client, data: dict[str, Any], **extra: Any) -> HttpResponse:
    """POST to the counter reception with the token a newly loaded form would carry, unless the
    test gives its own."""
    user_id = int(client.session["_auth_user_id"])
    form = {"form_token": token_new(user_id), **data}  # a token the test gives wins
    return client.post(reverse("dossiers:reception"), form, **extra)  # type: ignore[return-value]

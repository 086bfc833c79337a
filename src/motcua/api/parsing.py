"""How the API reads a request's JSON body and query string: as ninja does, refusing NUL.

PostgreSQL's text cannot hold the NUL character (JSON's ``"\\u0000"``, a query's ``%00``): a
value carrying one failed in the database with a server error wherever it reached a query (a
unit's code in ``POST /api/v1/dossiers``, found by the API fuzz test). Refused here, once, for
every endpoint's JSON body (400, in Vietnamese and English), with the lone surrogates no
database column can hold either; paths, query strings and forms
are refused before any view (``web.middleware.NulRefusingMiddleware``).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

NUL = "\x00"


class NulRefused(ValueError):
    """A text of the body holds NUL (ninja answers 400 "Cannot parse request body")."""


def holds_nul(value: Any) -> bool:
    """A text no database column can hold: NUL, or a lone surrogate (JSON's ``"\\ud800"``, not
    UTF-8: a 500 in the database driver, and a stored one broke the dossier's receipt)."""
    if isinstance(value, str):
        return NUL in value or (not value.isascii() and not utf8_text(value))
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def utf8_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class NulRefusingParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if holds_nul(data):
            raise NulRefused("NUL in the body")
        return data

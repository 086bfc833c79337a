"""An API error with its own code (``{code, message, message_en}``), e.g. ``token_expired``."""

from __future__ import annotations

from ninja.errors import HttpError


class ApiError(HttpError):
    def __init__(self, status_code: int, code: str, message: str, message_en: str) -> None:
        super().__init__(status_code, f"{message} / {message_en}")
        self.code = code

"""An API error with its own code (``{code, message, message_en}``), e.g. ``token_expired``."""

from __future__ import annotations

import re

from ninja.errors import HttpError

from motcua.common.errors import DomainError, NotAllowed, in_languages


class ApiError(HttpError):
    def __init__(self, status_code: int, code: str, message: str, message_en: str) -> None:
        super().__init__(status_code, f"{message} / {message_en}")
        self.code = code
        # Kept apart: a message holding " / " of its own is not split in the wrong place.
        self.message_vi, self.message_en = message, message_en


def refusal(
    error: DomainError, english_otherwise: str | None = None, *, general: str = "DomainError"
) -> ApiError:
    """A rule's refusal in both languages: 403 ``forbidden`` when the officer may not do it,
    else 422 named after the rule (``supplement_already_requested``; ``refused`` for a rule
    without a name of its own). When the sentence has no English of its own, English tells
    ``english_otherwise``, else the general English of the error's class (``ERROR_EN``, that
    of ``general`` for a class it does not list)."""
    otherwise = english_otherwise or english_for(error, general)
    vietnamese, english = in_languages(error.message, otherwise)
    if isinstance(error, NotAllowed):
        return ApiError(403, "forbidden", vietnamese, english)
    return ApiError(422, rule_code(type(error)), vietnamese, english)


def rule_code(kind: type[DomainError]) -> str:
    if kind is DomainError:
        return "refused"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


# The general English of a refusal whose own sentence has none, by the rule's class.
ERROR_EN = {
    "SupplementAlreadyRequested": "A supplement was already requested once; a second request is not allowed.",
    "SupplementWindowClosed": "The time to request a supplement (after reception) has passed.",
    "ApologyNotAllowed": "An apology is allowed once, before the deadline, with a later working day.",
    "TransitionNotAllowed": "This action is not allowed in the dossier's current state.",
    "MissingInput": "Required input is missing or invalid.",
    "InvalidValue": "A value given is not one this action takes.",
    "LegalLimitNeeded": (
        "The procedure's national record gives no time limit: an officer enters the legal limit "
        "and its basis (counter or /can-bo/thoi-han/<code>/) before a dossier can be received."
    ),
    "DomainError": "The request was refused by a one-stop rule.",
    "NoReceivingCompetence": "This unit has no competence to receive the procedure.",
    "NotAllowed": "You are not allowed to do this for this dossier.",
    "IdempotencyKeyReused": "This Idempotency-Key was used for another request: use a new key.",
}


def with_limit_page(refused: ApiError, code: str) -> ApiError:
    """The API cannot take a legal limit: the refusal says where an officer enters it."""
    page = f"/can-bo/thoi-han/{code}/"
    return ApiError(
        refused.status_code, refused.code,
        f"{refused.message_vi} Cán bộ nhập thời hạn ở quầy tiếp nhận hoặc tại trang {page}.",
        f"{refused.message_en} An officer enters it at the counter or on the page {page}.",
    )  # fmt: skip


def english_for(error: DomainError, otherwise: str) -> str:
    """The general English of a refusal whose own sentence has none."""
    return ERROR_EN.get(type(error).__name__, ERROR_EN[otherwise])

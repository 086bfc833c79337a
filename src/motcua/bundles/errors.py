"""Why a bundle was refused, in Vietnamese first and in English for API clients."""

from __future__ import annotations

from django.utils.functional import Promise

from motcua.common.errors import DomainError


class BundleError(DomainError):
    """A bundle rule said no; ``code`` names it for API clients."""

    code = "bundle_refused"

    def __init__(self, message: str | Promise, message_en: str = "") -> None:
        super().__init__(message)
        self.message_en = message_en or str(message)


class BundleInputError(BundleError):
    """The application itself is wrong: kind, services, subject, unit."""

    code = "invalid_bundle"


class BundleKeyReused(BundleError):
    """An Idempotency-Key sent again with another submission (IETF's draft: 422)."""

    code = "idempotency_key_reused"


class BundleNotAllowed(BundleError):
    code = "forbidden"


class DefinitionError(Exception):
    """The definitions file cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

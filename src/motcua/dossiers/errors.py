"""Why an action on a dossier was refused, in words an officer can act on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError, worded


class TransitionNotAllowed(DomainError):
    pass


class SupplementAlreadyRequested(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Hồ sơ này đã được yêu cầu bổ sung một lần; không được yêu cầu lần thứ hai.")
        )


class SupplementWindowClosed(DomainError):
    def __init__(self, days: int) -> None:
        super().__init__(
            worded(
                _(
                    "Đã quá thời hạn yêu cầu bổ sung (trong %(days)s ngày làm việc kể từ khi tiếp nhận)."
                ),
                {"days": days},
            )
        )


class ApologyNotAllowed(DomainError):
    pass


class StaleDossier(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Hồ sơ vừa được người khác thay đổi. Hãy tải lại trang rồi thao tác lại.")
        )


class MissingInput(DomainError):
    pass


class IdempotencyKeyReused(DomainError):
    """A key sent again with another request: answering with the first dossier would silently
    drop the second applicant's (IETF's Idempotency-Key draft: 422 for a reused key)."""

    def __init__(self, ref: str) -> None:
        super().__init__(worded(
            _("Idempotency-Key này đã dùng cho hồ sơ %(ref)s với nội dung khác. Mỗi hồ sơ mới "
              "cần một khóa mới."), {"ref": ref}
        ))  # fmt: skip


class InvalidValue(MissingInput):
    """An input given, but not one the rule takes (an amount out of range, a channel unknown)."""


class LegalLimitNeeded(MissingInput):
    """No receipt with a blank appointment date (Decree 61/2018 art. 17; decision 0024)."""

    def __init__(self, code: str) -> None:
        super().__init__(worded(
            _("Hồ sơ quốc gia của thủ tục %(code)s không ghi thời hạn giải quyết. Nhập thời hạn "
              "theo quy định và căn cứ pháp lý để tiếp nhận."), {"code": code}
        ))  # fmt: skip

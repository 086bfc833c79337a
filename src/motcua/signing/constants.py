from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationStatus(models.TextChoices):
    """What a PDF's signature says, as a person is told it."""

    VALID = "valid", _("Chữ ký số hợp lệ")
    BROKEN = "broken", _("Chữ ký số không còn nguyên vẹn")
    UNKNOWN_SIGNER = "unknown_signer", _("Ký bởi tổ chức chứng thực không được tin cậy")
    CERTIFICATE_INVALID = "certificate_invalid", _("Chứng thư số của người ký không còn giá trị")
    UNSIGNED = "unsigned", _("Văn bản không có chữ ký số")


EXPLANATIONS = {
    VerificationStatus.VALID: _(
        "Văn bản được ký số bởi đơn vị nêu dưới đây và không bị thay đổi từ khi ký."
    ),
    VerificationStatus.BROKEN: _(
        "Nội dung văn bản đã bị thay đổi sau khi ký, hoặc chữ ký bị hỏng. Không dùng văn bản này; "
        "hãy xin bản gốc tại nơi đã cấp."
    ),
    VerificationStatus.UNKNOWN_SIGNER: _(
        "Chữ ký còn nguyên vẹn nhưng chứng thư số không do tổ chức chứng thực mà hệ thống tin "
        "cậy cấp: không xác nhận được văn bản do cơ quan nhà nước ban hành."
    ),
    VerificationStatus.CERTIFICATE_INVALID: _(
        "Chữ ký còn nguyên vẹn nhưng chứng thư số của người ký đã hết hạn, bị thu hồi hoặc chưa "
        "có hiệu lực."
    ),
    VerificationStatus.UNSIGNED: _(
        "Tệp PDF này không có chữ ký số. Văn bản điện tử do Một Cửa ban hành đều được ký số."
    ),
}

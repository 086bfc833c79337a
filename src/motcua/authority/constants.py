from django.db import models
from django.utils.translation import gettext_lazy as _


class DelegationKind(models.TextChoices):
    """How authority moves (Decree 30/2020/NĐ-CP art. 13; Law on Local Government).

    The first three are ways to *sign* for the head, who stays the competent authority; the last
    moves the *competence* itself to another unit, which then decides in its own name.
    """

    SIGN_FOR = "kt", _("Ký thay (KT.): cấp phó ký thay người đứng đầu")
    BY_ORDER = "tl", _("Thừa lệnh (TL.): người đứng đầu đơn vị thuộc cơ quan ký thừa lệnh")
    BY_AUTHORISATION = "tuq", _("Thừa ủy quyền (TUQ.): ký theo văn bản ủy quyền có thời hạn")
    DEVOLUTION = "phan_cap", _("Phân cấp, ủy quyền giải quyết cho đơn vị khác")


SIGNING_KINDS = frozenset(
    {DelegationKind.SIGN_FOR, DelegationKind.BY_ORDER, DelegationKind.BY_AUTHORISATION}
)


class DelegationChangeAction(models.TextChoices):
    CREATED = "created", _("Tạo")
    CHANGED = "changed", _("Sửa")
    ENDED = "ended", _("Chấm dứt")

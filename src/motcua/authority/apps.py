from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorityConfig(AppConfig):
    name = "motcua.authority"
    verbose_name = _("Ủy quyền, phân cấp")

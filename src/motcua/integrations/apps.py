from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Adapters to systems outside Một Cửa (registries; SMS lives with notifications)."""

    name = "motcua.integrations"
    verbose_name = _("Kết nối hệ thống ngoài")

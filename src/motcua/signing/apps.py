from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "motcua.signing"
    verbose_name = _("Ký số văn bản")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "motcua.web"
    verbose_name = _("Giao diện web")

    def ready(self) -> None:
        # ``{% translate "fixed text" %}`` kept per language (the module says why).
        from .fast_i18n import install

        install()

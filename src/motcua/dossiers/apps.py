from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from motcua.signing.selectors import issued_finder_register

        from .legal_forms import issued_document_find

        # The public verification page names the issued form a signed PDF is.
        issued_finder_register(issued_document_find)

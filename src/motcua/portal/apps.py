from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "motcua.portal"
    verbose_name = _("Cổng công dân")

    def ready(self) -> None:
        from motcua.bundles.citizen import CITIZEN

        from .bundle_drafts import draft_done, from_draft
        from .services import citizen_dossiers

        CITIZEN.draft_facts = from_draft
        CITIZEN.draft_done = draft_done
        CITIZEN.dossiers_of = citizen_dossiers

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    """Dossiers to the National Public Service Portal (Cổng DVCQG): an outbox written with each
    dossier event, delivered in order by the worker (docs/decisions/0027)."""

    name = "motcua.sync"
    verbose_name = _("Đồng bộ Cổng DVCQG")

    def ready(self) -> None:
        from motcua.common import events

        from . import checks  # noqa: F401 - registers the configuration check
        from .outbox import on_dossier_event

        events.subscribe(events.ANY, on_dossier_event)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Adapters to systems outside Một Cửa (the national registries; SMS lives with
    notifications). They react to domain events and never the other way round."""

    name = "motcua.integrations"
    verbose_name = _("Kết nối hệ thống ngoài")

    def ready(self) -> None:
        from motcua.common import events

        from .registry.subscribers import on_registry_call_due

        events.subscribe("bundle.registry_call_due", on_registry_call_due)

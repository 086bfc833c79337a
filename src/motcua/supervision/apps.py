from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Giám sát: the Decision 766/QĐ-TTg index, computed from the dossiers' event log."""

    name = "motcua.supervision"
    verbose_name = _("Giám sát, chỉ số phục vụ")

    def ready(self) -> None:
        from motcua.dossiers.extensions import panel_register

        from .views import timeline_panel

        panel_register("timeline_panel", timeline_panel)

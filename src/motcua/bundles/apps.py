from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "motcua.bundles"
    verbose_name = _("Liên thông")

    def ready(self) -> None:
        from motcua.common import events
        from motcua.dossiers.deadlines import limit_source_register
        from motcua.dossiers.demo.extras import DemoExtra, demo_extra_register
        from motcua.dossiers.extensions import panel_register, worklist_hook_register

        from .deadlines import member_limit_source
        from .subscribers import on_dossier_event
        from .views import context_for_dossier, worklist_context

        events.subscribe(events.ANY, on_dossier_event)
        limit_source_register(member_limit_source)
        worklist_hook_register(worklist_context)
        panel_register("bundle_panel", context_for_dossier)
        demo_extra_register(DemoExtra("motcua.bundles.demo"))  # imported by the command only

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "motcua.vault"
    verbose_name = _("Kho dữ liệu điện tử")

    def ready(self) -> None:
        from motcua.dossiers import extensions

        from .export import flag_columns
        from .registry import own_record, registry_used
        from .selectors import export_columns, officer_panel
        from .services import offers_for, registry_answer, reuse_record
        from .subscribers import subscribe

        subscribe()
        extensions.DATA.offers = offers_for
        extensions.DATA.reuse = reuse_record
        extensions.DATA.registry = registry_answer
        extensions.DATA.own_record = own_record
        extensions.DATA.registry_used = registry_used
        extensions.export_columns_register(export_columns)
        extensions.export_columns_register(flag_columns)
        extensions.panel_register("vault_panel", officer_panel)

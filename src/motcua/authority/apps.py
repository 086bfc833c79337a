from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorityConfig(AppConfig):
    name = "motcua.authority"
    verbose_name = _("Ủy quyền, phân cấp")

    def ready(self) -> None:
        # Which units delegate is kept with the catalog's token (``selectors``): a saved
        # delegation, or a change of its fields, moves the token as a catalog change does.
        from django.db.models.signals import m2m_changed, post_save

        from motcua.catalog.revision import linked, saved

        from .models import Delegation

        post_save.connect(saved, sender=Delegation, dispatch_uid="catalog-changed-Delegation")
        m2m_changed.connect(
            linked, sender=Delegation.fields.through, dispatch_uid="catalog-linked-delegation"
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self) -> None:
        from motcua.common.events import subscribe
        from motcua.dossiers.extensions import panel_register

        from . import selectors, subscribers

        # In the transaction of the payment's action: the payment row and its receipt number
        # are written with the dossier's event, or not at all.
        subscribe("dossier.paid", subscribers.on_paid)
        panel_register("payment_panel", selectors.officer_panel)

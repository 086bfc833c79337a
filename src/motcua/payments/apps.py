from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self) -> None:
        from motcua.common.events import subscribe
        from motcua.dossiers.constants import DocumentKind
        from motcua.dossiers.extensions import panel_register, renderer_register

        from . import receipts, selectors, subscribers

        # In the transaction of the payment's action: the payment row and its receipt number
        # are written with the dossier's event, or not at all.
        subscribe("dossier.paid", subscribers.on_paid)
        panel_register("payment_panel", selectors.officer_panel)
        # The e-receipt is an issued document: the kernel signs and hashes what this renders.
        renderer_register(DocumentKind.FEE_RECEIPT, receipts.receipt_document_pdf)

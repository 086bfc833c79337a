"""A dossier's payments, the gateway's callbacks as received (forged ones too), and the fee
exemptions officers tick (decision 0028)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.presentation import money_text
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit

from .constants import CallbackOutcome, Method, OnlineFlag, PaymentStatus


class Payment(models.Model):
    # Dossiers are deleted only by a re-run legacy import, which replays their payments too.
    # Found by the (dossier, status) index below: no index of its own.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="payments", db_index=False
    )
    number = models.CharField(_("mã giao dịch"), max_length=40, unique=True)
    method = models.CharField(_("hình thức"), max_length=16, choices=Method.choices)
    flag = models.PositiveSmallIntegerField(
        _("thanh toán trực tuyến (766)"), choices=OnlineFlag.choices, default=OnlineFlag.NONE
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    lines = models.JSONField(_("các khoản"), default=list, blank=True)
    gateway_id = models.CharField(max_length=64, blank=True)
    pay_url = models.URLField(max_length=500, blank=True)
    message = models.CharField(_("ghi chú"), max_length=300, blank=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payer_name = models.CharField(_("người nộp"), max_length=200, blank=True)
    recorded_by_name = models.CharField(_("người thu"), max_length=150, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    receipt_number = models.CharField(_("số biên lai"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("giao dịch nộp phí")
        verbose_name_plural = _("giao dịch nộp phí")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["dossier", "status"]), models.Index(fields=["created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "receipt_number"], name="payment_receipt_unique",
                condition=~models.Q(receipt_number=""),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.number

    @property
    def amount_text(self) -> str:
        return str(money_text(self.amount_vnd))


class ReceiptSequence(models.Model):
    """The last receipt number of a unit in a year (receipts are numbered without gaps)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="receipt_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"


class Callback(models.Model):
    """Every callback the gateway (or anyone) sent, as received: the audit of what came in."""

    at = models.DateTimeField(_("nhận lúc"))
    order_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=16, blank=True)
    body = models.TextField()
    signature = models.CharField(max_length=128, blank=True)
    remote = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=CallbackOutcome.choices)

    class Meta:
        verbose_name = _("thông báo từ cổng thanh toán")
        verbose_name_plural = _("thông báo từ cổng thanh toán")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status} ({self.outcome})"


class FeeExemption(models.Model):
    """An officer's ticked exemption (miễn phí, lệ phí), with its legal basis; revoking keeps it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fee_exemptions")
    basis = models.CharField(_("căn cứ miễn"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("miễn phí, lệ phí")
        verbose_name_plural = _("miễn phí, lệ phí")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.basis

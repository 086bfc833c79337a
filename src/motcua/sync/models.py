from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit


class SyncState(models.TextChoices):
    PENDING = "pending", _("Chờ đồng bộ")
    WAITING = "waiting", _("Chờ tiếp nhận (chưa có mã hồ sơ)")
    DELIVERED = "delivered", _("Đã đồng bộ")
    DEAD = "dead", _("Đồng bộ lỗi, cần xử lý")


class DossierSync(models.Model):
    """The outbox of one dossier: what the portal has of it and what is still to send.

    An event of the dossier raises ``enqueued_seq`` (in the event's transaction); the worker sends
    the portal the record after each event above ``delivered_seq``, in order, and moves
    ``delivered_seq`` after each confirmed call. ``next_attempt_at`` is when the worker looks at
    it next (empty: nothing to do, or waiting for reception); ``dead_at``: set aside after
    ``MOTCUA_DVCQG_MAX_ATTEMPTS`` failures, until an officer sends it again.
    """

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, primary_key=True, related_name="portal_sync"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    enqueued_seq = models.PositiveIntegerField(default=0)
    delivered_seq = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)
    # A run's lease: a worker owns the dossier's delivery until then; one found expired means the
    # run died mid-call, so the next one asks the portal (TraCuuHoSo) what it holds first.
    lease_until = models.DateTimeField(null=True, blank=True)
    unsure = models.BooleanField(default=True)
    portal_has = models.BooleanField(default=False)
    portal_code = models.CharField(_("mã hồ sơ trên Cổng"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("đồng bộ hồ sơ lên Cổng DVCQG")
        verbose_name_plural = _("đồng bộ hồ sơ lên Cổng DVCQG")
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="dossier_sync_due",
                condition=models.Q(next_attempt_at__isnull=False, dead_at__isnull=True),
            ),
            models.Index(fields=["unit", "dead_at"], name="dossier_sync_by_unit"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.portal_code or self.dossier_id}: {self.state}"

    @property
    def state(self) -> str:
        if self.dead_at is not None:
            return SyncState.DEAD
        if self.delivered_seq >= self.enqueued_seq and self.delivered_seq > 0:
            return SyncState.DELIVERED
        if self.next_attempt_at is None:
            return SyncState.WAITING
        return SyncState.PENDING

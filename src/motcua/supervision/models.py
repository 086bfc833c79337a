from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Unit


class DossierFact(models.Model):
    """The rollup: one row per received dossier, folded from its events (``facts.py``) and the
    flags its documents and rating carry. The indicators of any period, unit, procedure, field
    and channel are sums over these rows (``compute.py``); the rows are rebuilt from the events
    at will (``motcua indicators --rebuild``), so nothing here is a record of its own.

    Instants are seconds since the epoch (see ``facts.py``). ``seq``: the last event folded.
    """

    dossier = models.OneToOneField(
        Dossier, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seq = models.PositiveIntegerField()
    receiving_unit_id = models.IntegerField()
    deciding_unit_id = models.IntegerField()
    procedure_id = models.IntegerField()
    field_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=20)
    received = models.BigIntegerField()
    due = models.BigIntegerField(null=True)
    end = models.BigIntegerField(null=True)
    judge_end = models.BigIntegerField(null=True)
    end_kind = models.CharField(max_length=10, blank=True)
    sup1_start = models.BigIntegerField(null=True)
    sup1_end = models.BigIntegerField(null=True)
    sup1_due = models.BigIntegerField(null=True)
    sup2 = models.BigIntegerField(null=True)
    citizen = models.BigIntegerField(default=0)
    # When the first input file, the first result file and an unsatisfied rating came: a
    # period ending earlier does not count them.
    digitised = models.BigIntegerField(null=True)
    e_result = models.BigIntegerField(null=True)
    unsatisfied = models.BigIntegerField(null=True)
    # When a component was first met by data already held (any source; 766 4.3) and by the
    # personal data store (4.4), recorded by ``motcua.vault``.
    reused = models.BigIntegerField(null=True)
    from_store = models.BigIntegerField(null=True)
    # When a fee was first asked or paid, and when it was paid online (766 3.6).
    fee = models.BigIntegerField(null=True)
    paid_online = models.BigIntegerField(null=True)
    # The last instant any count compares with a period's bounds, once the dossier has ended
    # (None while open: its verdict still moves with the period's end); from then on the
    # dossier's counts are fixed and summed in ``IndicatorBucket`` (``buckets.py``).
    settled = models.BigIntegerField(null=True)
    # Month of reception and of the end in Hà Nội (yyyymm): the buckets' keys.
    received_month = models.IntegerField(default=0)
    end_month = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("dữ kiện chỉ số của hồ sơ")
        verbose_name_plural = _("dữ kiện chỉ số của hồ sơ")
        indexes = [
            models.Index(fields=["receiving_unit_id", "received"], name="fact_receiving"),
            models.Index(fields=["deciding_unit_id", "received"], name="fact_deciding"),
            models.Index(fields=["procedure_id", "received"], name="fact_procedure"),
            models.Index(fields=["received"], name="fact_received"),
            models.Index(fields=["end"], name="fact_end"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} @{self.seq}"

    @property
    def appointment(self) -> datetime.datetime | None:
        """The appointment given at reception, which 2.1 judges against; the dossier's own date
        may be later (an apology's new date, the citizen's supplement time added)."""
        return None if self.due is None else datetime.datetime.fromtimestamp(self.due, datetime.UTC)


# The keys of a row of summed counts (with ``boundary`` before them for a snapshot).
SUMMED_KEYS = (
    "month", "receiving_unit_id", "deciding_unit_id", "procedure_id", "field_key", "channel",
)  # fmt: skip


class SummedCounts(models.Model):
    """The counts of ``compute.Counts`` (1.4 aside) summed over some facts, and their keys."""

    month = models.IntegerField()
    receiving_unit_id = models.IntegerField()
    deciding_unit_id = models.IntegerField()
    procedure_id = models.IntegerField()
    field_key = models.IntegerField()
    channel = models.CharField(max_length=20)
    handled = models.BigIntegerField(db_default=0)
    judged = models.BigIntegerField(db_default=0)
    on_time = models.BigIntegerField(db_default=0)
    unsatisfied = models.BigIntegerField(db_default=0)
    received = models.BigIntegerField(db_default=0)
    online = models.BigIntegerField(db_default=0)
    resolved = models.BigIntegerField(db_default=0)
    resolution_seconds = models.BigIntegerField(db_default=0)
    e_result = models.BigIntegerField(db_default=0)
    digitised = models.BigIntegerField(db_default=0)
    reused = models.BigIntegerField(db_default=0)
    from_store = models.BigIntegerField(db_default=0)
    fee = models.BigIntegerField(db_default=0)
    paid_online = models.BigIntegerField(db_default=0)

    class Meta:
        abstract = True


class IndicatorBucket(SummedCounts):
    """The counts of the settled facts (``DossierFact.settled``) summed per month and per unit,
    procedure, field and channel: a period's whole months are read here, the rest per fact
    (``buckets.py``, docs/decisions/0026). Kept by the rollup in the fold's transaction; rebuilt
    with it. Received-side counts sit in the month of reception, the others in the month of
    the end; ``field_key`` is 0 for a procedure without a field."""

    class Meta:
        verbose_name = _("tổng chỉ số theo tháng")
        verbose_name_plural = _("tổng chỉ số theo tháng")
        constraints = [models.UniqueConstraint(fields=[*SUMMED_KEYS], name="indicator_bucket_key")]
        indexes = [
            models.Index(fields=["receiving_unit_id", "month"], name="bucket_receiving"),
            models.Index(fields=["deciding_unit_id", "month"], name="bucket_deciding"),
            # A procedure's months, and (procedure 0) every unit's months for all procedures.
            models.Index(fields=["procedure_id", "month"], name="bucket_procedure"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.receiving_unit_id}/{self.procedure_id}/{self.channel}"


class FlightSnapshot(SummedCounts):
    """What the dossiers in flight at the start of month ``boundary`` (yyyymm) add to a period
    of whole months ending there, beyond what the buckets hold of them (``snapshots.py``):
    received-side counts keyed by the month of reception, the others by the month of the end
    (``OPEN_MONTH`` when not ended). No later event changes it but a backdated one, which the
    fold carries over like the buckets'."""

    boundary = models.IntegerField()

    class Meta:
        verbose_name = _("hồ sơ đang giải quyết đầu tháng")
        verbose_name_plural = _("hồ sơ đang giải quyết đầu tháng")
        constraints = [
            models.UniqueConstraint(fields=["boundary", *SUMMED_KEYS], name="flight_snapshot_key")
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["boundary", "procedure_id", "month"], name="flight_procedure"),
        ]

    def __str__(self) -> str:
        return f"@{self.boundary} {self.month} {self.receiving_unit_id}/{self.procedure_id}"


class FlightBoundary(models.Model):
    """A month start whose snapshot is made (its rows are read only when this row exists)."""

    boundary = models.IntegerField(primary_key=True)
    made_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mốc đầu tháng đã chụp")
        verbose_name_plural = _("mốc đầu tháng đã chụp")

    def __str__(self) -> str:
        return str(self.boundary)


class FactCursor(models.Model):
    """How far the rollup has read a log (``events``: dossier events; ``ratings``)."""

    name = models.CharField(max_length=20, primary_key=True)
    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("vị trí đọc của bảng chỉ số")
        verbose_name_plural = _("vị trí đọc của bảng chỉ số")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


class PlanStatus(models.TextChoices):
    TO_STUDY = "to_study", _("Cần nghiên cứu tái cấu trúc")
    APPROVED = "approved", _("Đã phê duyệt phương án")
    DONE = "done", _("Đã hoàn thành")


class ReengineeringPlan(models.Model):
    """Where the re-engineering of a busy procedure stands (more than 500 dossiers in 12 months),
    for one unit or (``unit`` empty) the whole city. Supervisors edit it; every change is kept in
    ``ReengineeringPlanChange``."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("tình trạng"), max_length=16, choices=PlanStatus.choices)
    decision_number = models.CharField(_("số quyết định phê duyệt"), max_length=80, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("phương án tái cấu trúc thủ tục")
        verbose_name_plural = _("phương án tái cấu trúc thủ tục")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "unit"], name="reengineering_plan_unit_unique",
                condition=models.Q(unit__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["procedure"], name="reengineering_plan_city_unique",
                condition=models.Q(unit__isnull=True),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.procedure_id}@{self.unit_id or 'city'}: {self.status}"


class ReengineeringPlanChange(models.Model):
    """Audit trail of a plan: who changed what, when (rows are never edited)."""

    plan = models.ForeignKey(ReengineeringPlan, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    decision_number = models.CharField(max_length=80, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("thay đổi phương án tái cấu trúc")
        verbose_name_plural = _("thay đổi phương án tái cấu trúc")
        ordering = ["plan_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.from_status}→{self.to_status}"


class HeldTime(models.Model):
    """What one unit or officer held of one dossier in its stays already ended: working seconds,
    the part beyond the steps' budgets, how many stays (delay attribution, ``attribution.py``).
    Folded from the events with the indicator facts, so the over-budget report of a city's year
    sums rows instead of folding every timeline. ``holder`` empty: the unit's row.

    ``open_*``: the stay still open when the dossier was folded (at most one row per dossier
    has them): its start on the working-time axis of the dossier's calendar (the deciding
    unit's, on the day of reception) and the budget it had left; its seconds are counted at the
    report's instant, since they grow without any event."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    received = models.BigIntegerField()  # epoch seconds, as DossierFact
    receiving_unit_id = models.IntegerField()
    deciding_unit_id = models.IntegerField()
    unit = models.CharField(max_length=100)
    holder = models.CharField(max_length=150, blank=True)
    working_seconds = models.BigIntegerField(default=0)
    over_budget_seconds = models.BigIntegerField(default=0)
    segments = models.IntegerField(default=0)
    over_segments = models.IntegerField(default=0)
    open_axis = models.BigIntegerField(null=True)
    open_left = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("thời gian giữ hồ sơ")
        verbose_name_plural = _("thời gian giữ hồ sơ")
        indexes = [
            models.Index(fields=["received"], name="held_received"),
            models.Index(fields=["dossier"], name="held_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.unit} {self.holder}"

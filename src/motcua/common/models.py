"""Models shared by the domain apps: abstract ones, and the rate counters of every limit."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class ChainedEvent(models.Model):
    """One change of a record (a bundle, a feedback): who, when, from and to, why, chained by
    SHA-256 to the event before it (``motcua.common.chain``), so that an edited, inserted or
    deleted event shows. A concrete event adds its foreign key to the record, its ``action`` (with
    the app's choices) and says which facts the hash covers, in order (``HASHED``): the order of
    existing chains, which must keep verifying."""

    HASHED: ClassVar[tuple[str, ...]] = ()

    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        abstract = True


class RateCount(models.Model):
    """Requests (or failures) counted for one name in one minute (``motcua.common.throttle``):
    one row per name and minute, counted by an upsert; what every rate limit reads."""

    name = models.CharField(max_length=200)  # "<scope>:<key>", e.g. "signup:203.0.113.7"
    minute = models.PositiveBigIntegerField()  # minutes since 1970 (UTC)
    hits = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "minute"], name="rate_count_per_minute")
        ]

    def __str__(self) -> str:
        return f"{self.name} @{self.minute}: {self.hits}"


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life, written every few seconds by `motcua worker`.

    A task it runs stays its own for as long as it beats (the lease is extended by the heartbeat);
    once it stops beating, its running tasks are put back in the queue (``common.leases``).
    ``/readyz`` reads the freshest beat of each queue.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.CharField(max_length=200)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.queues}) {self.beat_at:%Y-%m-%d %H:%M:%S}"

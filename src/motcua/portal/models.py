from __future__ import annotations

from django.db import models


class LookupAttempt(models.Model):
    """One public dossier lookup, kept to throttle guessing (no account needed to look up)."""

    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    code = models.CharField(max_length=80, db_index=True)
    at = models.DateTimeField(db_index=True)
    found = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.code} {self.at:%d/%m/%Y %H:%M} {'ok' if self.found else '—'}"

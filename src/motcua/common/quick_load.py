"""Rows into model instances without ``Model.__init__`` (issue 12's read paths).

Every dossier read, worklist page and action loads a few hundred model instances; Django builds
each through ``Model.__init__``, which sends ``pre_init`` and ``post_init`` and sets every field
through ``setattr``, and that was a third of a worklist page's CPU. A row from the database needs
none of it: ``QuickLoad.from_db`` puts the values into the instance's ``__dict__`` under their
attribute names, as ``__init__`` would have left them, and marks it as loaded from ``db``. Fields
that were not selected stay absent, so they load on first access (deferred), as Django's do.

Only when nothing listens to ``pre_init`` or ``post_init`` for the model (Django's own image
fields do; none of ours): otherwise Django's ``from_db`` runs, signals and all."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Self

from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


class QuickLoad(models.Model):
    """The abstract base of models loaded often (no fields of its own: no migration)."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Self:
        if pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = new.__dict__
        attributes["_state"] = state
        attributes.update(zip(field_names, values, strict=True))
        return new

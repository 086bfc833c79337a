"""Rows into model instances without ``Model.__init__`` (issue 12's read paths).

Every dossier read, worklist page and action loads a few hundred model instances; Django builds
each through ``Model.__init__``, which sends ``pre_init`` and ``post_init`` and sets every field
through ``setattr``, and that was a third of a worklist page's CPU. A row from the database needs
none of it: ``QuickLoad.from_db`` puts the values into the instance's ``__dict__`` under their
attribute names, as ``__init__`` would have left them, and marks it as loaded from ``db``. Fields
that were not selected stay absent, so they load on first access (deferred), as Django's do.

Only when nothing listens to ``pre_init`` or ``post_init`` for the model (Django's own image
fields do; none of ours): otherwise Django's ``from_db`` runs, signals and all.

``QuickLoad.fresh`` does the same for a new row (an action's event, step visit, issued form):
the values ``Model.__init__`` would set, without its pass over every field through ``setattr``
and the related objects' descriptors (a seventh of a bulk import's time)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Self

from django.db import models, router
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# How ``fresh`` sets one field: its name, attribute name, the model a related object must be
# (None: a plain value), and its default.
FieldPlan = tuple[str, str, type[models.Model] | None, Callable[[], Any]]
PLANS: dict[type[models.Model], tuple[FieldPlan, ...] | None] = {}
# Descriptors through which ``setattr`` only puts the value in the instance's ``__dict__``.
PLAIN_SETS = (DeferredAttribute, FileDescriptor)


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

    @classmethod
    def fresh(cls, **values: Any) -> Self:
        """``cls(**values)``, a new row: the same attributes, related objects cached and the
        instance's database chosen as the related objects' descriptors would. Anything this
        does not know (another keyword, a related object of the wrong model, a model of
        other descriptors or signals) is left to ``Model.__init__``, errors and all."""
        plan = PLANS[cls] if cls in PLANS else PLANS.setdefault(cls, fresh_plan(cls))
        if plan is None or pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return cls(**values)
        new = cls.__new__(cls)
        state = ModelState()
        attributes = new.__dict__
        attributes["_state"] = state
        taken = 0
        for name, attname, related, default in plan:
            if related is not None and name in values:
                value = values[name]
                taken += 1
                if value is not None:
                    if not isinstance(value, related) or not related_allowed(new, value):
                        return cls(**values)
                    attributes[attname] = value.pk
                else:
                    attributes[attname] = None
                state.fields_cache[name] = value
            elif attname in values:
                attributes[attname] = values[attname]
                taken += 1
            else:
                attributes[attname] = default()
        return new if taken == len(values) else cls(**values)


def related_allowed(instance: models.Model, value: models.Model) -> bool:
    """What ``ForwardManyToOneDescriptor.__set__`` does before it links the two rows."""
    if instance._state.db is None:
        instance._state.db = router.db_for_write(instance.__class__, instance=value)
    if value._state.db is None:
        value._state.db = router.db_for_write(value.__class__, instance=instance)
    return router.allow_relation(value, instance)


def fresh_plan(model: type[models.Model]) -> tuple[FieldPlan, ...] | None:
    """The fields as ``Model.__init__`` sets them, or None where it does more than set them."""
    plan: list[FieldPlan] = []
    for field in model._meta.fields:
        if field.column is None or field.generated:
            continue
        descriptor = model.__dict__.get(field.attname)
        if field.is_relation:
            target = field.target_field  # type: ignore[attr-defined]
            related = field.related_model
            if (
                type(descriptor) is not ForeignKeyDeferredAttribute
                or not isinstance(related, type)
                or target is not related._meta.pk
            ):
                return None
            plan.append((field.name, field.attname, related, field.get_default))
        elif type(descriptor) in PLAIN_SETS:
            plan.append((field.name, field.attname, None, field.get_default))
        else:
            return None
    return tuple(plan)

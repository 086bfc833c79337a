"""Our models' ``get_<field>_display`` answer as Django's own method does (common.choice_labels)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.test.utils import isolate_apps
from django.utils import translation

from motcua.common import choice_labels


def choice_fields() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    return [
        (model, field)
        for model in choice_labels.our_models()
        for field in model._meta.get_fields(include_parents=False)
        if isinstance(field, models.Field) and field.choices
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_label_is_djangos_in_the_language_of_the_request(language: str) -> None:
    fields = choice_fields()
    assert len(fields) > 40  # the whole schema, not an empty loop
    with translation.override(language):
        for model, field in fields:
            shown = getattr(model, f"get_{field.name}_display")
            for value, _label in [*field.flatchoices, ("không-có-trong-danh-sách", "")]:
                instance = model(**{field.attname: value})
                assert shown(instance) == models.Model._get_FIELD_display(instance, field), (
                    model, field.name, value,
                )  # fmt: skip


def test_the_methods_are_ours_and_a_second_install_changes_nothing() -> None:
    from motcua.dossiers.models import DossierEvent

    assert DossierEvent.get_action_display.__module__ == choice_labels.__name__
    assert choice_labels.install() == 0


@isolate_apps("motcua.common")
def test_a_models_own_display_method_is_kept() -> None:
    class Labelled(models.Model):
        kind = models.CharField(max_length=4, choices=[("a", "A")])

        class Meta:
            app_label = "common"

        def __str__(self) -> str:
            return self.kind

        def get_kind_display(self) -> str:
            return "riêng"

    own = Labelled.get_kind_display
    assert choice_labels.install([Labelled]) == 0
    assert Labelled.get_kind_display is own
    assert Labelled(kind="a").get_kind_display() == "riêng"

"""How a dossier's result reaches the applicant."""

from __future__ import annotations

from motcua.catalog.constants import OnlineLevel
from motcua.catalog.models import Procedure

from .constants import Channel, Decision
from .models import Dossier


def result_is_electronic(dossier: Dossier) -> bool:
    """A granted, fully-online procedure submitted online ends with an electronic result
    (Decree 45/2020): nobody has to come to the counter for it."""
    if dossier.channel != Channel.ONLINE or dossier.decision != Decision.APPROVED:
        return False
    if Dossier.procedure.is_cached(dossier):
        level = dossier.procedure.online_level
    else:  # only the level: the procedure row carries large JSON that this does not need
        level = Procedure.objects.values_list("online_level", flat=True).get(
            pk=dossier.procedure_id
        )
    return level == OnlineLevel.FULL

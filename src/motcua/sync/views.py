"""The officers' page of the portal sync: their units' dossiers that are not at the portal yet,
with why (read only; an administrator sends set-aside ones again from the admin list)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.accounts import permissions
from motcua.integrations.dvcqg.client import sync_enabled

from .models import DossierSync, SyncState
from .reports import STATE_FILTERS

PAGE_SIZE = 100
SHOWN = (SyncState.DEAD, SyncState.PENDING, SyncState.WAITING)


@login_required
def sync_list(request: HttpRequest) -> HttpResponse:
    units = permissions.visible_unit_ids(request.user)
    if not units:
        raise PermissionDenied(_("Chỉ cán bộ xem được tình trạng đồng bộ của đơn vị."))
    state = request.GET.get("state", "")
    state = state if state in SHOWN else ""
    rows = DossierSync.objects.filter(unit_id__in=units).select_related("dossier", "unit")
    counts = {s: rows.filter(STATE_FILTERS[s]).count() for s in SHOWN}
    shown = (
        rows.filter(STATE_FILTERS[state])
        if state
        else rows.exclude(STATE_FILTERS[SyncState.DELIVERED])
    )
    context = {
        "enabled": sync_enabled(), "state": state, "counts": counts,
        "states": [(s, SyncState(s).label) for s in SHOWN],
        "rows": list(shown.order_by("-dead_at", "next_attempt_at", "pk")[:PAGE_SIZE]),
    }  # fmt: skip
    return render(request, "sync/list.html", context)

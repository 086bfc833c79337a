"""The floor's endpoints: one indexed select each, or five inserts in one transaction."""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

# Created by the bench (``city_bench.floor_table_create``) before the floor starts.
WRITE_TABLE = "bench_floor_write"


def row_or_404(sql: str, key: str) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
        names = [c.name for c in cursor.description or []]
    if row is None:
        return JsonResponse({"detail": "not found"}, status=404)
    return JsonResponse(dict(zip(names, row, strict=True)))


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """The floor of catalog detail and search: the procedure by its code (unique index)."""
    return row_or_404(
        "SELECT id, code, name, version FROM catalog_procedure WHERE code = %s "
        "ORDER BY in_hanoi_set DESC LIMIT 1",
        code,
    )


def dossier(request: HttpRequest, ref: str) -> HttpResponse:
    """The floor of a dossier read and the worklist: a dossier by its ref (unique index)."""
    return row_or_404(
        "SELECT id, ref, code, status, due_at FROM dossiers_dossier WHERE ref = %s", ref
    )


def lookup(request: HttpRequest) -> HttpResponse:
    """The floor of the public lookup: a posted form, the dossier by its code (unique index)."""
    return row_or_404(
        "SELECT id, ref, code, status, due_at FROM dossiers_dossier WHERE code = %s",
        request.POST.get("code", ""),
    )


def write(request: HttpRequest) -> HttpResponse:
    """The floor of dossier creation: five inserts in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        for n in range(5):
            cursor.execute(
                f"INSERT INTO {WRITE_TABLE} (kind, body) VALUES (%s, %s) RETURNING id",
                [n, request.body[:2000].decode(errors="replace")],
            )
            last = cursor.fetchone()
    return JsonResponse({"id": last[0] if last else None}, status=201)


def ready(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("procedure/<str:code>", procedure),
    path("dossier/<str:ref>", dossier),
    path("lookup", lookup),
    path("write", write),
    path("ready", ready),
]

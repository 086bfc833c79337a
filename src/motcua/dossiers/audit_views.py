"""Public, read-only: the signed roots of the dossiers' history (decision 0009).

A root holds counts, hashes, a time, a signature and the public key's fingerprint: no personal
data and no dossier reference. Anyone may keep copies; a later rewrite of the history then shows
as a root that no longer matches.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import AuditRoot

LISTED = 1000


def not_found() -> JsonResponse:
    return JsonResponse(
        {
            "code": "no_root",
            "message": "Chưa có gốc nhật ký nào được công bố với số này.",
            "message_en": "No audit root has been published under that number.",
        },
        status=404,
    )


def document_response(root: AuditRoot, max_age: int) -> HttpResponse:
    response = HttpResponse(root.document, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@require_GET
def roots_latest(request: HttpRequest) -> HttpResponse:
    root = AuditRoot.objects.order_by("-number").first()
    return not_found() if root is None else document_response(root, max_age=60)


@require_GET
def root_detail(request: HttpRequest, number: int) -> HttpResponse:
    root = AuditRoot.objects.filter(number=number).first()
    return not_found() if root is None else document_response(root, max_age=86400)


@require_GET
def roots_list(request: HttpRequest) -> JsonResponse:
    rows = AuditRoot.objects.order_by("-number").values(
        "number", "published_at", "reason", "dossiers", "events", "root", "key_fingerprint"
    )[:LISTED]
    roots = [
        {
            **row,
            "published_at": row["published_at"].isoformat(),
            "url": reverse("dossiers:audit-root", args=[row["number"]]),
        }
        for row in rows
    ]
    return JsonResponse({"latest": reverse("dossiers:audit-roots-latest"), "roots": roots})

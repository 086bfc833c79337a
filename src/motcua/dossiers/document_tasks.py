"""Background rendering of issued documents: the worker renders each PDF once, right after the
action that issued it committed, so the first download does not wait for it."""

from __future__ import annotations

from django_tasks import task

from .legal_forms import issued_document_render
from .models import IssuedDocument


@task()
def issued_document_render_task(document_id: int) -> str:
    document = IssuedDocument.objects.filter(pk=document_id).first()
    return issued_document_render(document) if document is not None else ""

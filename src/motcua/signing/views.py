"""The public page where anyone checks a PDF's digital signature (Kiểm tra văn bản điện tử)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .constants import EXPLANATIONS
from .forms import VerifyUploadForm
from .selectors import UnreadablePdf, pdf_verify


def verify(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = VerifyUploadForm(request.POST, request.FILES) if posted else VerifyUploadForm()
    context: dict[str, object] = {"form": form, "limit_mb": settings.MOTCUA_MAX_UPLOAD_MB}
    if posted and form.is_valid():
        try:
            result = pdf_verify(form.cleaned_data["file"])
        except UnreadablePdf as error:
            form.add_error("file", str(error.message))
        else:
            context.update(result=result, explanation=EXPLANATIONS[result.status])
    return render(request, "signing/verify.html", context)

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("thanh-toan/thong-bao/", views.callback, name="callback"),
    path("ho-so-cua-toi/<str:ref>/nop-phi/", views.pay, name="pay"),
    path("ho-so-cua-toi/<str:ref>/nop-phi-khi-nop/", views.at_submission, name="at-submission"),
    path("ho-so-cua-toi/<str:ref>/nop-phi/<str:number>/", views.back, name="back"),
    path(
        "ho-so-cua-toi/<str:ref>/bien-lai/<str:number>.pdf", views.citizen_receipt, name="receipt"
    ),
    path(
        "can-bo/ho-so/<str:ref>/bien-lai/<str:number>.pdf",
        views.officer_receipt,
        name="officer-receipt",
    ),
    path("can-bo/ho-so/<str:ref>/mien-phi/", views.exempt, name="exempt"),
]

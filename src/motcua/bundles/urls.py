from django.urls import path

from . import views

app_name = "bundles"

urlpatterns = [
    path("nop-lien-thong/<slug:kind>/", views.apply, name="apply"),
    path("ho-so-lien-thong/<str:ref>/", views.mine, name="mine"),
    path("ho-so-lien-thong/<str:ref>/giay-tiep-nhan/", views.receipt, name="receipt"),
    path("ho-so-lien-thong/<str:ref>/rut/", views.withdraw, name="withdraw"),
    path("can-bo/tiep-nhan/lien-thong/<slug:kind>/", views.counter, name="counter"),
    path("can-bo/lien-thong/", views.officer_list, name="officer-list"),
    path("can-bo/lien-thong/<str:ref>/", views.officer_detail, name="officer-detail"),
    path(
        "can-bo/lien-thong/<str:ref>/giay-tiep-nhan/",
        views.officer_receipt,
        name="officer-receipt",
    ),
]

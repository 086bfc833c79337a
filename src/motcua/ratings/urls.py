from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("ho-so-cua-toi/<str:ref>/danh-gia/", views.rate, name="rate"),
    path("ho-so-lien-thong/<str:ref>/danh-gia/", views.rate_bundle, name="rate-bundle"),
    path("can-bo/danh-gia/", views.overview, name="overview"),
]

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("thu-tuc/", views.search, name="search"),
    path("thu-tuc/linh-vuc/", views.fields, name="fields"),
    path("thu-tuc/thong-ke/", views.stats, name="stats"),
    path("thu-tuc/<str:code>/", views.detail, name="detail"),
]

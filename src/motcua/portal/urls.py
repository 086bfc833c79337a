from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("tra-cuu/", views.lookup, name="lookup"),
    path("dang-ky/", views.sign_up, name="sign-up"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my-dossiers"),
    path("ho-so-cua-toi/<str:ref>/", views.my_dossier, name="my-dossier"),
    path("ho-so-cua-toi/<str:ref>/rut/", views.withdraw, name="withdraw"),
]

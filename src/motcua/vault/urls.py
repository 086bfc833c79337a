from django.urls import path

from . import views

app_name = "vault"

urlpatterns = [
    path("kho-du-lieu/", views.my_store, name="my-store"),
    path("kho-du-lieu/ai-da-dung/", views.my_uses, name="my-uses"),
    path("kho-du-lieu/<int:pk>/tai-ve/", views.my_document, name="my-document"),
    path("can-bo/ho-so/<str:ref>/kho/<int:pk>/", views.officer_document, name="officer-document"),
]

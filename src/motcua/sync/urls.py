from django.urls import path

from . import views

app_name = "sync"
urlpatterns = [path("dong-bo-dvcqg/", views.sync_list, name="list")]

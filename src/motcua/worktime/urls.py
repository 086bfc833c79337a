from django.urls import path

from . import views

app_name = "worktime"

urlpatterns = [
    path("lich-lam-viec/", views.this_year, name="this-year"),
    path("lich-lam-viec/<int:year>/", views.year_calendar, name="year"),
]

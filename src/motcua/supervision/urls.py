from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("can-bo/dong-thoi-gian/<str:ref>/", views.timeline, name="timeline"),
    path("giam-sat/vuot-dinh-muc/", views.over_budget_page, name="over-budget"),
    path("giam-sat/nguy-co-tre-han/", views.at_risk_page, name="at-risk"),
    path("giam-sat/tai-cau-truc/", views.reengineering_page, name="reengineering"),
]

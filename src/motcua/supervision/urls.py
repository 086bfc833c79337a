from django.urls import path

from . import dashboard_views, views

app_name = "supervision"

urlpatterns = [
    path("can-bo/dong-thoi-gian/<str:ref>/", views.timeline, name="timeline"),
    path("giam-sat/vuot-dinh-muc/", views.over_budget_page, name="over-budget"),
    path("giam-sat/nguy-co-tre-han/", views.at_risk_page, name="at-risk"),
    path("giam-sat/tai-cau-truc/", views.reengineering_page, name="reengineering"),
    path("giam-sat/", dashboard_views.dashboard_page, name="dashboard"),
    path("giam-sat/tre-han/", dashboard_views.late_page, name="late"),
    path("giam-sat/bao-cao.xlsx", dashboard_views.report_xlsx, name="report-xlsx"),
    path("giam-sat/bao-cao.pdf", dashboard_views.report_pdf, name="report-pdf"),
]

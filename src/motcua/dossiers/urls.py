from django.urls import path

from . import audit_views, reception_views, views

app_name = "dossiers"

urlpatterns = [
    path("audit/roots/", audit_views.roots_list, name="audit-roots"),
    path("audit/roots/latest.json", audit_views.roots_latest, name="audit-roots-latest"),
    path("audit/roots/<int:number>.json", audit_views.root_detail, name="audit-root"),
    path("can-bo/ho-so/", views.worklist, name="worklist"),
    path("can-bo/tiep-nhan/", reception_views.reception, name="reception"),
    path("can-bo/tiep-nhan/goi-y/", reception_views.reception_suggest, name="reception-suggest"),
    path("can-bo/thoi-han/<str:code>/", reception_views.legal_limit, name="legal-limit"),
    path(
        "can-bo/don-vi/<slug:code>/so-theo-doi/<int:year>.<str:fmt>",
        views.tracking_book,
        name="tracking-book",
    ),
    path(
        "can-bo/don-vi/<slug:code>/so-theo-doi/<int:year>.<str:fmt>/trang-thai/",
        views.tracking_book_status,
        name="tracking-book-status",
    ),
    path(
        "can-bo/don-vi/<slug:code>/so-theo-doi/<int:year>.<str:fmt>/tai-ve/",
        views.tracking_book_download,
        name="tracking-book-download",
    ),
    path("can-bo/ho-so/<str:ref>/", views.detail, name="detail"),
    path("can-bo/ho-so/<str:ref>/in/<slug:form>/", views.legal_form, name="form"),
    path("can-bo/ho-so/<str:ref>/van-ban/<int:pk>/", views.issued, name="issued"),
    path("can-bo/ho-so/<str:ref>/giay-to/", views.attach, name="attach"),
    path("can-bo/ho-so/<str:ref>/giay-to/<int:pk>/", views.document, name="document"),
    path("can-bo/ho-so/<str:ref>/<slug:action>/", views.act, name="act"),
]

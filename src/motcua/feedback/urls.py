from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("phan-anh/", views.public_list, name="public"),
    path("phan-anh/gui/", views.send, name="send"),
    path("phan-anh/cua-toi/", views.mine, name="mine"),
    path("phan-anh/cua-toi/<str:code>/", views.mine_detail, name="mine-detail"),
    path("phan-anh/cua-toi/<str:code>/tep/<int:pk>/", views.mine_file, name="mine-file"),
    path("can-bo/phan-anh/", views.officer_list, name="officer-list"),
    path("can-bo/phan-anh/ghi-nhan/", views.officer_record, name="officer-record"),
    path("can-bo/phan-anh/<str:code>/", views.officer_detail, name="officer-detail"),
    path("can-bo/phan-anh/<str:code>/tep/<int:pk>/", views.officer_file, name="officer-file"),
    path("can-bo/phan-anh/<str:code>/<str:action>/", views.officer_act, name="officer-act"),
]

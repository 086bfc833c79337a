from django.urls import path

from . import views, vneid_views

app_name = "signin"

urlpatterns = [
    path("dang-nhap/vneid/", vneid_views.start, name="vneid"),
    path("dang-nhap/vneid/ve/", vneid_views.callback, name="vneid-callback"),
    path("xac-thuc-hai-buoc/", views.verify, name="verify"),
    path("xac-thuc-hai-buoc/dang-ky/", views.enrol, name="enrol"),
    path("xac-thuc-hai-buoc/ma-du-phong/", views.recovery_codes, name="recovery-codes"),
    path("tai-khoan/xac-thuc-hai-buoc/", views.security, name="security"),
    path(
        "tai-khoan/xac-thuc-hai-buoc/tao-lai-ma-du-phong/",
        views.codes_regenerate,
        name="codes-regenerate",
    ),
    path("tai-khoan/xac-thuc-hai-buoc/doi-ung-dung/", views.device_reset, name="device-reset"),
]

from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says; a 404 there is an error in each console.
    path("favicon.ico", views.favicon, name="favicon"),
    path("sau-dang-nhap/", views.after_login, name="after-login"),
    path("tai-khoan/", views.account, name="account"),
    path("can-bo/", views.workspace, name="workspace"),
    path("can-bo/don-vi/<slug:code>/", views.unit_detail, name="unit"),
    path("can-bo/don-vi/<slug:code>/phan-quyen/", views.role_grant, name="role-grant"),
    path(
        "can-bo/don-vi/<slug:code>/phan-quyen/<int:role_id>/thu-hoi/",
        views.role_revoke,
        name="role-revoke",
    ),
    path(
        "tai-khoan/ma-api/<int:token_id>/thu-hoi/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
]

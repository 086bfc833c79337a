from django.urls import path

from . import business, claim, online, recovery_views, views

app_name = "portal"

urlpatterns = [
    path("tra-cuu/", views.lookup, name="lookup"),
    path("dang-ky/", views.sign_up, name="sign-up"),
    path("dang-ky/doanh-nghiep/", business.sign_up_business, name="sign-up-business"),
    path("dang-ky/so-dinh-danh-da-co/", claim.id_taken, name="id-taken"),
    path("dang-ky/so-dinh-danh-da-co/nhap-ma/", claim.id_taken_code, name="id-taken-code"),
    path("quen-mat-khau/dien-thoai/", recovery_views.recover_phone, name="recover-phone"),
    path(
        "quen-mat-khau/dien-thoai/nhap-ma/",
        recovery_views.recover_phone_code,
        name="recover-phone-code",
    ),
    path("ho-so-cua-toi/", views.my_dossiers, name="my-dossiers"),
    path("ho-so-cua-toi/nhan-ho-so/", claim.claim, name="claim"),
    path("ho-so-cua-toi/nhan-ho-so/nhap-ma/", claim.claim_code, name="claim-code"),
    path("ho-so-cua-toi/<str:ref>/", views.my_dossier, name="my-dossier"),
    path("ho-so-cua-toi/<str:ref>/rut/", views.withdraw, name="withdraw"),
    path("ho-so-cua-toi/<str:ref>/bo-sung/", online.supplement_reply, name="supplement"),
    path("ho-so-cua-toi/<str:ref>/giay-to/<int:pk>/", online.document, name="document"),
    path("ho-so-cua-toi/<str:ref>/mau/<slug:form>.pdf", online.legal_form, name="legal-form"),
    path("nop-truc-tuyen/<str:code>/", online.start, name="online-start"),
    path("ho-so-nhap/<uuid:key>/", online.draft_page, name="draft"),
    path("ho-so-nhap/<uuid:key>/xoa/", online.discard, name="draft-discard"),
    path("ho-so-nhap/<uuid:key>/<slug:step>/", online.old_step, name="draft-old-step"),
]

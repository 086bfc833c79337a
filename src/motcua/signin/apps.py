from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "motcua.signin"
    verbose_name = _("Đăng nhập an toàn")

    def ready(self) -> None:
        from . import signals, spread  # noqa: F401  (connects the sign-in receivers)

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "motcua.common"
    verbose_name = "Common"

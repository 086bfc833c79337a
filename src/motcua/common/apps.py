from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "motcua.common"
    verbose_name = "Common"

    def ready(self) -> None:
        from .choice_labels import install

        install()  # every model is loaded before any app is ready

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from motcua.common import events

        from .bundles import on_bundle_notice
        from .feedback import on_feedback_alert
        from .outbox import on_mail_requested
        from .services import on_alert_raised, on_dossier_event

        events.subscribe(events.ANY, on_dossier_event)
        events.subscribe("dossier.alert_raised", on_alert_raised)
        events.subscribe("bundle.notice", on_bundle_notice)
        events.subscribe("feedback.alert", on_feedback_alert)
        events.subscribe("mail.requested", on_mail_requested)

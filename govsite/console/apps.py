from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "govsite.console"
    verbose_name = "管理控制台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from govsite.console.views import dashboard_changed
        from govsite.feedback.models import Message
        from govsite.inspections.models import Campaign, CampaignSite, RectificationTask

        for model in (Campaign, CampaignSite, Message, RectificationTask):
            for signal, name in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(dashboard_changed, sender=model, dispatch_uid=f"console-dashboard-{name}-{model.__name__}")

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "govsite.console"
    verbose_name = "管理控制台"
    default_auto_field = "django.db.models.BigAutoField"

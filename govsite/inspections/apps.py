from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "govsite.inspections"
    verbose_name = "检查与抽查"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "govsite.reports"
    verbose_name = "通报与报表"

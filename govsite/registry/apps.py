from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "govsite.registry"
    verbose_name = "网站名录"

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "govsite.feedback"
    verbose_name = "我为政府网站找错"

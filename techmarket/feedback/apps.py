from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "techmarket.feedback"
    verbose_name = "原因代码"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "techmarket.demo"
    verbose_name = "演示数据"

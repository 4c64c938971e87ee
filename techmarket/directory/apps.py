from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "techmarket.directory"
    verbose_name = "资源库"

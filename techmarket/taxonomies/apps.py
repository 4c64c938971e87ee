from django.apps import AppConfig


class TaxonomiesConfig(AppConfig):
    name = "techmarket.taxonomies"
    verbose_name = "分类代码"

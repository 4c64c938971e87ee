from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "techmarket.portal"
    verbose_name = "门户"

    def ready(self) -> None:
        from techmarket.core.process_cache import clear_on_change

        from . import headlines, permissions, workflows  # noqa: F401  (register transitions, policies, figures)
        from .models import Article, PortalCity

        # the active cities every page's frame reads (selectors.cities_active), and the published articles'
        # texts the site search looks in (selectors.article_search_preview)
        clear_on_change(PortalCity, Article)

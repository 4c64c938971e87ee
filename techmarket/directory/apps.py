from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DirectoryConfig(AppConfig):
    name = "techmarket.directory"
    verbose_name = "资源库"

    def ready(self) -> None:
        from techmarket.regions.models import Region
        from techmarket.taxonomies.models import Term

        from .forms import choices_cache_clear

        for model in (Region, Term):
            post_save.connect(choices_cache_clear, sender=model, dispatch_uid=f"choices_cache_{model.__name__}_save")
            post_delete.connect(choices_cache_clear, sender=model,
                                dispatch_uid=f"choices_cache_{model.__name__}_delete")

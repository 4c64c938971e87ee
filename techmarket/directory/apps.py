from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "techmarket.directory"
    verbose_name = "资源库"

    def ready(self) -> None:
        from techmarket.core.process_cache import clear_on_change
        from techmarket.regions.models import Region
        from techmarket.taxonomies.models import Term

        # the region and technology-field choice lists of the filter forms (directory.forms)
        clear_on_change(Region, Term)

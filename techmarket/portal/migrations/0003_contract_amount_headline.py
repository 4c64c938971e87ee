"""Show 本年技术合同成交额 on the home page of the cities already served (new cities get it by default)."""
from django.db import migrations


def add_contract_amount(apps, schema_editor):
    PortalCity = apps.get_model("portal", "PortalCity")
    for city in PortalCity.objects.all():
        figures = list(city.headline_figures or [])
        if "contract_amount" not in figures:
            figures.insert(1 if figures else 0, "contract_amount")
            city.headline_figures = figures
            city.save(update_fields=["headline_figures"])


def remove_contract_amount(apps, schema_editor):
    PortalCity = apps.get_model("portal", "PortalCity")
    for city in PortalCity.objects.all():
        if "contract_amount" in (city.headline_figures or []):
            city.headline_figures = [f for f in city.headline_figures if f != "contract_amount"]
            city.save(update_fields=["headline_figures"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_seed_cities")]
    operations = [migrations.RunPython(add_contract_amount, remove_contract_amount)]

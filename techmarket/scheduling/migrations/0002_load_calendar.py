"""Load the State Council holiday arrangements for 2025 and 2026 (data/cn_public_holidays.csv)."""
from django.db import migrations


def load(apps, schema_editor):
    from techmarket.scheduling.services import calendar_load_csv

    calendar_load_csv(model=apps.get_model("scheduling", "CalendarDay"))


def unload(apps, schema_editor):
    from techmarket.scheduling.services import CALENDAR_CSV, _calendar_rows

    dates = [row["date"] for row in _calendar_rows(CALENDAR_CSV)]
    apps.get_model("scheduling", "CalendarDay").objects.filter(date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

from django.db import migrations


def load(apps, schema_editor):
    from techmarket.regions.loading import load_divisions

    load_divisions(apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

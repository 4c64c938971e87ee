"""The five seed cities of SPEC §1 as served cities. A city deployment deactivates the others in the admin."""
from django.db import migrations

SEED_CITIES = [
    # region code, bureau, slogan (from each city's seed document), sort order
    ("130100", "石家庄市科学技术局", "创建全省科技创新示范市，推动科技成果在本地转化", 10),
    ("410100", "郑州市科学技术局", "市县联动，汇聚创新资源，服务技术转移与成果转化", 20),
    ("410600", "鹤壁市科学技术局", "创新驱动提速增效，建设技术转移体系", 30),
    ("411600", "周口市科学技术局", "支持科技成果转化，促进产学研用深度融合", 40),
    ("511900", "巴中市科学技术局", "促进科技成果转移转化，建设科技成果转化服务平台", 50),
]
HEADLINES = ["organizations", "hitech_enterprises", "people", "platforms"]


def seed(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    PortalCity = apps.get_model("portal", "PortalCity")
    for code, bureau, slogan, order in SEED_CITIES:
        region = Region.objects.filter(code=code).first()
        if region is None:  # divisions not loaded: nothing to attach the city to
            continue
        PortalCity.objects.get_or_create(region=region, defaults={
            "bureau_name": bureau, "slogan": slogan, "sort_order": order, "is_active": True,
            "headline_figures": list(HEADLINES)})


def unseed(apps, schema_editor):
    PortalCity = apps.get_model("portal", "PortalCity")
    PortalCity.objects.filter(region__code__in=[c[0] for c in SEED_CITIES], articles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("regions", "0002_load_divisions"),
    ]
    operations = [migrations.RunPython(seed, unseed)]

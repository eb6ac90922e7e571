"""Load the reference data (regions and State Council departments) into every database."""

from django.db import migrations


def load(apps, schema_editor):
    from govsite.registry.reference import load_departments, load_regions

    load_regions(apps.get_model("registry", "Region"))
    load_departments(apps.get_model("registry", "Department"))


def unload(apps, schema_editor):
    apps.get_model("registry", "Department").objects.all().delete()
    Region = apps.get_model("registry", "Region")
    for level in ("county", "city", "province"):
        Region.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

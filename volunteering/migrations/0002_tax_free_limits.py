"""The known tax-free limits of § 3 Nr. 26a and Nr. 26 EStG (in cents). A change of law is a new row."""

from django.db import migrations

LIMITS = [
    (2021, "26a", 84000),
    (2021, "26", 300000),
    (2026, "26a", 96000),  # Steueränderungsgesetz 2025
    (2026, "26", 330000),
]


def add_limits(apps, schema_editor):
    TaxFreeLimit = apps.get_model("volunteering", "TaxFreeLimit")
    for year, kind, cents in LIMITS:
        TaxFreeLimit.objects.update_or_create(year=year, kind=kind, defaults={"amount_cents": cents})


def remove_limits(apps, schema_editor):
    TaxFreeLimit = apps.get_model("volunteering", "TaxFreeLimit")
    for year, kind, _cents in LIMITS:
        TaxFreeLimit.objects.filter(year=year, kind=kind).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]
    operations = [migrations.RunPython(add_limits, remove_limits)]

import django.db.models.fields.json
from django.db import migrations, models


class Migration(migrations.Migration):
    """What inspection found in each chunk at ingestion, and the inspector version that found it.

    Existing chunks get no findings and no version: the gate inspects them live until they are
    re-ingested or `manage.py reinspect_chunks` stores their findings.
    """

    dependencies = [
        ("retrieval", "0002_document_source_sections"),
    ]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="findings",
            field=models.JSONField(
                blank=True,
                db_default=models.Value([], output_field=django.db.models.fields.json.JSONField()),
                default=list,
            ),
        ),
        migrations.AddField(
            model_name="chunk",
            name="findings_version",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    """A document's name is scoped to the readers who can see it (issue 14, finding 9): the unique
    constraint on (collection, source_name) goes, so an upload beside a same-named document the
    uploader may not read makes a document of its own instead of being refused with a message that
    confirms the other exists. An index on the same columns keeps the look-up by name fast; the index
    is built before the constraint (and its index) is dropped, so there is always one.
    """

    dependencies = [
        ("retrieval", "0005_chunk_injection"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["collection", "source_name"], name="document_source"),
        ),
        migrations.RemoveConstraint(
            model_name="document",
            name="document_unique_source",
        ),
    ]

"""Posting.impact, the order in which pruned keyword search reads a lexeme's postings; Posting.document,
so keyword search checks access without reading chunk rows; an index in impact order, covering both,
that also serves the exact search (it replaces the (collection, lexeme) covering index); and one by
chunk and lexeme covering what exact rescoring reads (it replaces the index on the chunk alone).

The expression is written out here, not imported, so this migration keeps meaning what it meant.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Cast

K1, B, REFERENCE_LENGTH = 0.9, 0.4, 64.0
tf = Cast("term_frequency", models.FloatField())
length = Cast("chunk_length", models.FloatField())


class Migration(migrations.Migration):
    dependencies = [
        ("retrieval", "0003_chunk_findings"),
    ]

    operations = [
        migrations.AddField(
            model_name="posting",
            name="document",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="retrieval.document",
            ),
        ),
        migrations.RunSQL(
            "UPDATE retrieval_posting p SET document_id = c.document_id FROM retrieval_chunk c WHERE c.id = p.chunk_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="posting",
            name="document",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="retrieval.document",
            ),
        ),
        migrations.AddField(
            model_name="posting",
            name="impact",
            field=models.GeneratedField(
                db_persist=True,
                expression=tf * (K1 + 1) / (tf + K1 * (1 - B) + (K1 * B / REFERENCE_LENGTH) * length),
                output_field=models.FloatField(),
            ),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(
                fields=["collection", "lexeme", "-impact"],
                include=("chunk", "document", "term_frequency", "chunk_length"),
                name="posting_lexeme_impact",
            ),
        ),
        migrations.RemoveIndex(model_name="posting", name="posting_lexeme_covering"),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(
                fields=["chunk", "lexeme"], include=("term_frequency", "chunk_length"), name="posting_chunk_covering"
            ),
        ),
        migrations.AlterField(
            model_name="posting",
            name="chunk",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="retrieval.chunk",
            ),
        ),
    ]

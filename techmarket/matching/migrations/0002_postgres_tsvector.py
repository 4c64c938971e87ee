"""The PostgreSQL engine's tsvector column and its GIN index (nothing on SQLite, where the embedded
engine keeps its own index files)."""
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE matching_searchdocument ADD COLUMN tsv tsvector NOT NULL DEFAULT ''")
    schema_editor.execute("CREATE INDEX matching_searchdocument_tsv_gin ON matching_searchdocument USING gin (tsv)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS matching_searchdocument_tsv_gin")
    schema_editor.execute("ALTER TABLE matching_searchdocument DROP COLUMN IF EXISTS tsv")


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

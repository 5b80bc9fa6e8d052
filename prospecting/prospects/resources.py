"""django-import-export resources: the admin's Import/Export buttons for prospects."""

from __future__ import annotations

from import_export import fields, resources

from prospecting.prospects.models import Prospect


class ProspectResource(resources.ModelResource):
    """Prospects matched by their normalized domain, so re-importing a file updates instead of duplicating."""

    score = fields.Field(attribute="score__score", column_name="score", readonly=True)

    class Meta:
        model = Prospect
        import_id_fields = ["domain_name"]
        fields = [
            "domain_name",
            "business_name",
            "channel",
            "status",
            "source",
            "address",
            "city",
            "postal_code",
            "country",
            "notes",
            "score",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

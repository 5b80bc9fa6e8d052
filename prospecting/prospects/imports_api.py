"""POST prospects/import: upload a CSV/XLSX; small files import at once, big ones go to the workers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prospecting.prospects import services
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect

MAX_ERRORS_IN_RESPONSE = 1000


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=[m.value for m in services.ImportMode], default="create")
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    channel = serializers.ChoiceField(choices=Prospect.Channel.choices, required=False, allow_blank=True, default="")
    country = serializers.CharField(required=False, allow_blank=True, default="", max_length=2)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class ImportRowErrorSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_number")

    class Meta:
        model = ImportRow
        fields = ["line", "error", "raw_payload"]


class ImportBatchSerializer(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField()
    job_id = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "name",
            "status",
            "total_rows",
            "created_count",
            "updated_count",
            "duplicate_count",
            "failed_count",
            "suppressed_count",
            "settings",
            "created_at",
            "completed_at",
            "errors",
            "job_id",
        ]

    def get_errors(self, batch: ImportBatch) -> list[dict]:
        failed = batch.rows.filter(outcome=ImportRow.Outcome.FAILED).order_by("line_number")
        return ImportRowErrorSerializer(failed[:MAX_ERRORS_IN_RESPONSE], many=True).data

    def get_job_id(self, batch: ImportBatch) -> int | None:
        return self.context.get("job_id")


class ProspectImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    required_permissions = {"POST": ["prospects.add_prospect", "prospects.add_importbatch"]}

    @extend_schema(
        summary="Import prospects from a CSV or XLSX file",
        description=(
            "Rows are matched by normalized domain (offline rows: business name + postal code). Bad rows are "
            "reported with their line number; good rows are imported. Files larger than "
            "IMPORT_INLINE_MAX_BYTES are imported by the workers: the answer is then 202 with the batch and "
            "job ids, and the batch shows progress."
        ),
        tags=["prospects"],
        request={"multipart/form-data": ImportRequestSerializer},
        responses={201: ImportBatchSerializer, 202: ImportBatchSerializer},
    )
    def post(self, request: Request) -> Response:
        params = ImportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if data["mode"] != "create" and not request.user.has_perm("prospects.change_prospect"):
            raise PermissionDenied("Updating existing prospects needs the permission to change prospects.")
        upload = data["file"]
        try:
            batch = services.import_upload(
                uploaded=upload,
                name=data["name"],
                mode=data["mode"],
                source=data["source"],
                channel=data["channel"],
                country=data["country"],
                user=request.user,
            )
        except services.ImportFileError as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc

        job = services.import_batch_start(batch=batch, user=request.user)
        batch.refresh_from_db()
        body = ImportBatchSerializer(batch, context={"job_id": job.pk}).data
        if job.status == job.Status.PENDING:  # a big file: the workers import it
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(body, status=status.HTTP_201_CREATED)

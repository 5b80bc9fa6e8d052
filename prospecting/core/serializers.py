from rest_framework import serializers

from prospecting.core.models import ScanJob


class ScanJobSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScanJob
        fields = [
            "id",
            "job_type",
            "status",
            "total_items",
            "processed_items",
            "failed_items",
            "progress_percent",
            "params",
            "error",
            "task",
            "task_id",
            "attempts",
            "worker",
            "heartbeat_at",
            "created_at",
            "started_at",
            "finished_at",
        ]

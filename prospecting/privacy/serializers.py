from rest_framework import serializers

from prospecting.core.models import Suppression
from prospecting.privacy.models import PrivacyRequest


def _values(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=320), required=False, max_length=20, help_text=help_text
    )


class SubjectSerializer(serializers.Serializer):
    """Whom the request is about: at least one e-mail address, phone number or domain."""

    emails = _values("E-mail addresses of the person.")
    phones = _values("Phone numbers, any spelling (+352 621 12 34 56).")
    domains = _values("Domains to erase and suppress (a person's own site).")
    names = _values("The person's name, cleaned from the rows of the prospects they are a contact of.")
    region = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, default="LU", help_text="Phones' default country."
    )

    def validate(self, attrs: dict) -> dict:
        if not any(attrs.get(name) for name in ("emails", "phones", "domains")):
            raise serializers.ValidationError({"emails": ["Give at least one e-mail address, phone number or domain."]})
        return attrs


class EraseRequestSerializer(SubjectSerializer):
    reference = serializers.CharField(
        max_length=100, required=False, default="", help_text="Your reference (a ticket number); no personal data."
    )


class AccessRequestSerializer(SubjectSerializer):
    format = serializers.ChoiceField(choices=["json", "csv"], default="json")


class PrivacyRequestSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PrivacyRequest
        fields = ["id", "kind", "counts", "reference", "created_by", "created_at"]


class RetentionRequestSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(default=True, help_text="Only count what would be purged (the default).")


class SuppressionSerializer(serializers.ModelSerializer):
    """An entry of the suppression list; an erased person's entry shows no value (only its hash is kept)."""

    class Meta:
        model = Suppression
        fields = ["id", "kind", "value", "reason", "note", "origin", "created_at"]
        read_only_fields = ["id", "origin", "created_at"]
        extra_kwargs = {
            "reason": {"default": Suppression.Reason.OBJECTION},
            "value": {
                "required": True,
                "allow_blank": False,
                "help_text": "An e-mail, a phone (any spelling), a domain.",
            },
        }

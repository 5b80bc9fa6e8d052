"""The API's defaults for every view (settings REST_FRAMEWORK): who may call it, how bodies are parsed.

Kept apart from `core/api.py`: DRF loads these classes while it defines its own views, so this module must
not import `rest_framework.views`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import permissions
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class StaffModelPermissions(permissions.DjangoModelPermissions):
    """Staff only, and only with the model permissions the operation needs (the default for every view).

    A view over a queryset needs the usual model permission: view (GET), add (POST), change (PUT/PATCH),
    delete (DELETE). A view without one says what it needs in `required_permissions`, a dict from HTTP method
    to permission names; a view that says neither is refused to everyone (fail closed).
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        required = getattr(view, "required_permissions", None)
        if required is not None:
            method = "GET" if request.method in {"HEAD", "OPTIONS"} else request.method
            return method in required and user.has_perms(required[method])
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return False
        return super().has_permission(request, view)


class SafeJSONParser(JSONParser):
    """JSON bodies; one nested too deeply for Python's parser is a 400 like any other malformed body."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc

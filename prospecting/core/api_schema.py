"""OpenAPI schema touches: the error answers every operation can give, documented once."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "type": "object",
    "additionalProperties": True,
    "description": 'DRF\'s error body: {"detail": "..."} or {"field": ["message", ...]}',
}


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add 400 (input refused), 401/403 (authentication, permission), 404 and, on writes, 409 to every
    operation that does not describe them itself."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            errors = {
                "400": "Bad request",
                "401": "Not authenticated",
                "403": "Permission denied",
                "404": "Not found (no such object, or a page past the last one)",
            }
            if method in {"post", "put", "patch", "delete"}:
                errors["409"] = "Conflict with the current state"
            for code, text in errors.items():
                responses.setdefault(code, {"description": text, "content": {"application/json": {"schema": _ERROR}}})
    return result

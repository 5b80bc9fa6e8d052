"""Writes on prospects. `from prospecting.prospects import services` gives every entry point."""

from prospecting.prospects.services.capture import CaptureData, prospect_capture
from prospecting.prospects.services.imports import (
    ImportFileError,
    ImportMode,
    import_batch_create,
    import_batch_revert,
    import_batch_run,
    import_file_store,
    prospect_import,
)
from prospecting.prospects.services.prospects import prospect_create, prospect_delete, prospect_update

__all__ = [
    "CaptureData",
    "ImportFileError",
    "ImportMode",
    "import_batch_create",
    "import_batch_revert",
    "import_batch_run",
    "import_file_store",
    "prospect_capture",
    "prospect_create",
    "prospect_delete",
    "prospect_import",
    "prospect_update",
]

"""Writes on prospects. `from prospecting.prospects import services` gives every entry point."""

from prospecting.prospects.services.contacts import contact_create, contact_delete, contact_update
from prospecting.prospects.services.conversions import prospect_convert
from prospecting.prospects.services.imports import (
    ImportFileError,
    ImportMode,
    import_batch_create,
    import_batch_job,
    import_batch_resume,
    import_batch_revert,
    import_batch_run,
    import_batch_start,
    import_file_store,
    import_preview_discard,
    import_previews_expire,
    import_upload,
    prospect_import,
)
from prospecting.prospects.services.prospects import (
    prospect_create,
    prospect_delete,
    prospect_update,
    prospects_add_tag,
    prospects_assign_owner,
    tag_clean,
)
from prospecting.prospects.services.status import (
    StatusTransitionError,
    prospect_status_change,
    prospects_mark_contacted,
)

__all__ = [
    "ImportFileError",
    "ImportMode",
    "StatusTransitionError",
    "contact_create",
    "contact_delete",
    "contact_update",
    "import_batch_create",
    "import_batch_job",
    "import_batch_resume",
    "import_batch_revert",
    "import_batch_run",
    "import_batch_start",
    "import_file_store",
    "import_preview_discard",
    "import_previews_expire",
    "import_upload",
    "prospect_convert",
    "prospect_create",
    "prospect_delete",
    "prospect_import",
    "prospect_status_change",
    "prospect_update",
    "prospects_add_tag",
    "prospects_assign_owner",
    "prospects_mark_contacted",
    "tag_clean",
]

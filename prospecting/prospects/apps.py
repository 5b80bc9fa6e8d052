from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProspectsConfig(AppConfig):
    name = "prospecting.prospects"
    label = "prospects"
    verbose_name = _("Prospects")

    def ready(self) -> None:
        from prospecting.core.events import housekeeping_due

        housekeeping_due.connect(_expire_import_previews, dispatch_uid="prospects-expire-import-previews")


def _expire_import_previews(**kwargs: object) -> int:
    import datetime

    from django.conf import settings

    from prospecting.prospects.services import import_previews_expire

    return import_previews_expire(older_than=datetime.timedelta(hours=settings.IMPORT_PREVIEW_KEEP_HOURS))

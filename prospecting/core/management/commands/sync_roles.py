"""Create or update the role groups (Admin, Sales, Viewer); `migrate` does it too."""

from django.core.management.base import BaseCommand

from prospecting.core.roles import roles_sync


class Command(BaseCommand):
    help = "Create or update the role groups Admin, Sales and Viewer with their permissions."

    def handle(self, *args: object, **options: object) -> None:
        for name, count in roles_sync().items():
            self.stdout.write(f"{name}: {count} permissions")

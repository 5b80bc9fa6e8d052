import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update the admin login from ADMIN_USERNAME / ADMIN_PASSWORD and print it (for local runs)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/", help="Admin URL to print.")

    def handle(self, *args, **options):
        username = os.environ.get("ADMIN_USERNAME", "admin")
        password = os.environ.get("ADMIN_PASSWORD")
        if not password:
            raise CommandError("Set ADMIN_PASSWORD (make run writes one into .env).")
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Admin: {options['url']}  login: {username}  password: {password}"))

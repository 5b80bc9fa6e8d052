from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from prospecting.prospects.demo import demo_data_seed


class Command(BaseCommand):
    help = "Load ~50 demo Luxembourg prospects with contacts, profiles and interactions (idempotent)."

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
        count = demo_data_seed(user=user)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {count} prospects."))

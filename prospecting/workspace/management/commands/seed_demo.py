from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from prospecting.workspace.demo import demo_data_seed


class Command(BaseCommand):
    help = "Load ~50 demo Luxembourg prospects with contacts, profiles and interactions (idempotent)."

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
        count = demo_data_seed(user=user)
        call_command("loaddata", "discovery_sources", verbosity=0)  # OpenStreetMap and an example directory
        call_command("loaddata", "campaign_templates", verbosity=0)  # a first e-mail per lead type in fr, de, en
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {count} prospects."))

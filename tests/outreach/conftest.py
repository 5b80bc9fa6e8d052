import pytest

from tests.outreach.smtp import smtp_running


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's EMAIL_* settings point at it (no sender account needed)."""
    with smtp_running() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.DEFAULT_FROM_EMAIL = "Agence Web <hello@agence.lu>"
        settings.SITE_URL = "https://prospecting.agence.lu"
        yield server

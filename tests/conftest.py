import pytest
from rest_framework.test import APIClient

from tests.factories import StaffUserFactory, UserFactory


@pytest.fixture
def staff_user(db):
    return StaffUserFactory(username="staff")


@pytest.fixture
def plain_user(db):
    return UserFactory(username="not-staff")


@pytest.fixture
def api_client(staff_user):
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


@pytest.fixture
def admin_client_logged_in(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 with a million rounds per test user would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a per-test folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sync_tasks(monkeypatch):
    """Run django-q2 tasks inline at enqueue time (the real-worker path is tested separately)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture(scope="session")
def site_farm(tmp_path_factory):
    """The fake-website farm, running for the whole test session."""
    from tests.farm import farm_running

    with farm_running(tmp_path_factory.mktemp("farm")) as farm:
        yield farm


@pytest.fixture
def farm(site_farm, settings):
    """Enrichment pointed at the farm: its names resolve to it, its CA is trusted, loopback is allowed."""
    from prospecting.core.fetch import resolver_overrides

    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = True
    settings.ENRICHMENT_CA_BUNDLE = str(site_farm.ca_path)
    settings.ENRICHMENT_READ_TIMEOUT = 1.0
    settings.ENRICHMENT_CONNECT_TIMEOUT = 1.0
    with resolver_overrides(site_farm.resolver_map):
        yield site_farm


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the dashboard's shared aggregates are cached for a minute)."""
    from django.core.cache import cache

    cache.clear()
    yield

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

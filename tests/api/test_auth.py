"""Every endpoint requires staff authentication. URL patterns are enumerated, not hand-listed."""

import pytest
from django.urls import Resolver404, resolve

from tests.urls_inventory import all_endpoints

pytestmark = pytest.mark.django_db

# The login page itself, logout, the root redirect, the signed links in messages (unsubscribe, open, click) and
# the calendar feeds (a secret token is their key: tests/interactions/test_digest_and_calendar.py).
PUBLIC = {
    "calendar-feed",
    "admin:login",
    "admin:logout",
    "",
    "outreach-public:unsubscribe",
    "outreach-public:open",
    "outreach-public:click",
}
API_ENDPOINTS = [e for e in all_endpoints() if e.path.startswith("/api/") and e.name not in PUBLIC]
HTML_ENDPOINTS = [e for e in all_endpoints() if not e.path.startswith("/api/") and e.name not in PUBLIC]
HTML_ENDPOINTS += [e for e in all_endpoints() if e.name in {"api-docs", "api-redoc"}]
API_ENDPOINTS = [e for e in API_ENDPOINTS if e.name not in {"api-docs", "api-redoc"}]
METHODS = ["get", "post", "put", "patch", "delete"]


def test_inventory_finds_the_endpoints_we_know_about():
    paths = {e.path for e in all_endpoints()}
    assert "/api/admin/prospecting/prospects" in paths
    assert "/api/admin/prospecting/prospects/1" in paths
    assert "/admin/prospects/prospect/" in paths
    assert len(API_ENDPOINTS) >= 3
    for endpoint in API_ENDPOINTS + HTML_ENDPOINTS:
        try:
            resolve(endpoint.path)
        except Resolver404:
            pytest.fail(f"sample path {endpoint.path} for {endpoint.name} does not resolve")


@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=lambda e: e.path)
@pytest.mark.parametrize("method", METHODS)
def test_api_refuses_anonymous(client, endpoint, method):
    response = getattr(client, method)(endpoint.path)
    assert response.status_code in {401, 403, 405}, response.status_code
    if response.status_code == 405:
        # Method not offered here: still must not be reachable anonymously with GET.
        assert client.get(endpoint.path).status_code in {401, 403}


@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=lambda e: e.path)
@pytest.mark.parametrize("method", METHODS)
def test_api_refuses_non_staff(client, plain_user, endpoint, method):
    client.force_login(plain_user)
    response = getattr(client, method)(endpoint.path)
    assert response.status_code in {403, 405}
    if response.status_code == 405:
        assert client.get(endpoint.path).status_code == 403


@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=lambda e: e.path)
def test_api_refuses_bad_token(client, endpoint):
    response = client.get(endpoint.path, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401


@pytest.mark.parametrize("endpoint", HTML_ENDPOINTS, ids=lambda e: e.path)
def test_admin_pages_redirect_anonymous_to_login(client, endpoint):
    response = client.get(endpoint.path)
    assert response.status_code == 302, endpoint
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("endpoint", HTML_ENDPOINTS, ids=lambda e: e.path)
def test_admin_pages_refuse_non_staff(client, plain_user, endpoint):
    client.force_login(plain_user)
    response = client.get(endpoint.path)
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")


def test_token_authentication_works_for_staff(client, staff_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=staff_user)
    response = client.get("/api/admin/prospecting/prospects", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200

"""French and German stay complete: every project string has a reviewed translation, compiled, and the pages
a salesperson opens speak the browser's language."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from prospecting.core.model_names import NAMES
from tests.factories import InteractionFactory, LeadFactory

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["fr", "de"]
# What makemessages reads: the project's code and templates, not its tests, tools or installed packages.
SCANNED = ["config", "prospecting", "templates", "manage.py"]


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def untranslated(po: polib.POFile) -> list[str]:
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        done = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if not done or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    return missing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_catalogue_is_translated_and_reviewed(language):
    po = catalog(language)
    assert len(po) > 400
    assert untranslated(po) == [], f"locale/{language}: translate these (and drop any fuzzy flag)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date(language):
    """The .mo the server reads says what the .po says (run `manage.py compilemessages` after editing it)."""
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in mo}
    written = {
        (entry.msgctxt, entry.msgid): entry.msgstr or {int(k): v for k, v in entry.msgstr_plural.items()}
        for entry in catalog(language)
        if not entry.obsolete
    }
    compiled = {
        key: value if isinstance(value, str) else {int(k): v for k, v in value.items()}
        for key, value in compiled.items()
    }
    compiled.pop((None, ""), None)  # the header
    assert compiled == written


def test_every_marked_string_of_the_project_is_in_the_catalogues(tmp_path):
    """makemessages over a copy of the project finds no string that the catalogues lack."""
    if not shutil.which("xgettext"):
        pytest.skip("gettext is not installed (apt-get install gettext)")
    for name in SCANNED:
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        else:
            shutil.copy(source, target)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    env = {**os.environ, "DEBUG": "1", "ENV_FILE": str(tmp_path / "none.env"), "DATABASE_URL": "sqlite://:memory:"}
    result = subprocess.run(  # noqa: S603 - manage.py of the copy
        [sys.executable, "manage.py", "makemessages", "--no-location", *[f"--locale={code}" for code in LANGUAGES]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for language in LANGUAGES:
        found = polib.pofile(str(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"))
        known = {entry.msgid for entry in catalog(language) if not entry.obsolete}
        new = sorted(entry.msgid for entry in found if not entry.obsolete and entry.msgid not in known)
        assert new == [], f"run makemessages (see README, Translations) and translate these for {language}"


def test_every_model_and_field_name_of_the_project_is_listed_for_translation():
    listed = set(NAMES)
    missing = set()
    with translation.override(None):  # the names themselves, whatever an earlier request activated
        for model in apps.get_models():
            if not model.__module__.startswith("prospecting."):
                continue
            opts = model._meta
            names = [opts.verbose_name, opts.verbose_name_plural]
            names += [field.verbose_name for field in [*opts.local_fields, *opts.local_many_to_many]]
            missing |= {str(name) for name in names} - listed
    assert missing == set(), "add these to NAMES in prospecting/core/model_names.py"


def test_the_leads_page_speaks_french_and_german(admin_client_logged_in):
    LeadFactory(business_name="Boulangerie Weber", score__score=82, score__lead_tier="top_priority")
    url = reverse("admin:scoring_lead_changelist")
    french = admin_client_logged_in.get(url, HTTP_ACCEPT_LANGUAGE="fr-LU,fr;q=0.9").content.decode()
    assert "Priorité haute" in french
    assert "Principales raisons" in french
    german = admin_client_logged_in.get(url, HTTP_ACCEPT_LANGUAGE="de-LU,de;q=0.9").content.decode()
    assert "Höchste Priorität" in german
    assert "Hauptgründe" in german


def test_follow_ups_and_field_names_speak_french(admin_client_logged_in, staff_user):
    InteractionFactory(next_action="Envoyer l'offre", follow_up_owner=staff_user)
    page = admin_client_logged_in.get(
        reverse("admin:interactions_followup_changelist"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Prochaine action" in page
    assert "Envoyer l&#x27;offre" in page
    interactions = admin_client_logged_in.get(
        reverse("admin:interactions_interaction_changelist"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Type d’interaction" in interactions  # a field name, translated without a migration


def test_a_refused_status_change_is_explained_in_the_users_language(api_client):
    from tests.factories import ProspectFactory

    prospect = ProspectFactory(status="pending")
    url = f"/api/admin/prospecting/prospects/{prospect.pk}"
    french = api_client.patch(url, {"status": "converted"}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 400
    assert "ne peut pas passer à" in str(french.json()) and "cannot become" not in str(french.json())
    english = api_client.patch(url, {"status": "converted"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "cannot become converted" in str(english.json())

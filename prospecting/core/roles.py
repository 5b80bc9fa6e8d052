"""Roles as Django groups (seed 004 users and roles): Admin, Sales, Viewer.

Each role is data: the permissions its group holds, as "app_label.codename" patterns (`*` matches any
codename part). `roles_sync` creates or updates the groups; it runs after every `migrate` (so a new model's
permissions join the roles at once) and with `manage.py sync_roles`. Which prospects a user sees follows
from the permission `prospects.view_all_prospects` (Admin, Viewer): without it (Sales) a user sees their own
and the unassigned prospects only. A member still needs "staff status" to sign in to the admin and the API.
"""

from __future__ import annotations

import fnmatch
from typing import Any

PROJECT_APPS = ["core", "prospects", "enrichment", "interactions", "scoring", "outreach", "discovery", "privacy"]
ADMIN = "Admin"
SALES = "Sales"
VIEWER = "Viewer"

ROLES: dict[str, list[str]] = {
    # Everything of the product, plus users, groups, API tokens and the task queue.
    ADMIN: [*(f"{app}.*" for app in PROJECT_APPS), "auth.*", "authtoken.*", "django_q.*"],
    # Own and unassigned prospects: work them, log interactions, scan them, send campaigns; read the rest.
    SALES: [
        *(f"{app}.view_*" for app in PROJECT_APPS),
        "prospects.add_prospect",
        "prospects.change_prospect",
        "prospects.*_prospectcontact",
        "prospects.add_importbatch",
        "prospects.add_conversion",
        "prospects.change_conversion",
        "interactions.*",
        "outreach.add_campaignsend",
        "outreach.change_campaignsend",
        "core.change_scanjob",
        "core.add_suppression",  # record an objection heard on a call (taking a value off the list: Admin)
    ],
    # Read-only, every prospect.
    VIEWER: [*(f"{app}.view_*" for app in PROJECT_APPS)],
}


def _matches(label: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(label, pattern) for pattern in patterns)


def roles_sync(**_: Any) -> dict[str, int]:
    """Create the role groups and give each exactly its permissions; returns how many each holds."""
    from django.contrib.auth.models import Group, Permission

    permissions = list(Permission.objects.select_related("content_type"))
    counts = {}
    for name, patterns in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        chosen = [
            perm
            for perm in permissions
            if _matches(f"{perm.content_type.app_label}.{perm.codename}", patterns)
            and not (name == SALES and perm.codename == "view_all_prospects")
        ]
        group.permissions.set(chosen)
        counts[name] = len(chosen)
    return counts

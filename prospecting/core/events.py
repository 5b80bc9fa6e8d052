"""Announcements from the apps below to the apps above, so that imports run one way (docs/architecture.md).

A lower app (prospects, enrichment, interactions) says *what changed*; a higher app (scoring) decides what to
do about it. The sender never imports the receiver.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

prospects_changed = Signal()
"""Facts about these prospects changed (their fields, contacts, enrichment results or interactions).

Sent inside the writing transaction with `prospect_ids`; receivers act once it commits (scoring recomputes
the scores, pooling every announcement of one transaction into one recompute), or at once when `now` is
true (the caller shows the result right away, e.g. the full enrichment report).
"""


housekeeping_due = Signal()
"""Sent every minute by the scheduled jobs watchdog: each app tidies what it owns (e.g. import previews that
were never confirmed). Receivers are called robustly: one failing never stops the others nor the watchdog."""


def prospects_changed_announce(*, prospect_ids: Iterable[int], now: bool = False) -> None:
    """Tell the apps above that these prospects changed."""
    ids = [pk for pk in prospect_ids if pk is not None]
    if ids:
        prospects_changed.send(sender=None, prospect_ids=ids, now=now)

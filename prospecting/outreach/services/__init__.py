"""Writes of the outreach app, one module per part: templates and rendering, the do-not-contact list,
sending, sender accounts, tracking, sequences and letters."""

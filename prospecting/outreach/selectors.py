"""Reads of the outreach app. Filled by the issue that builds this capability; see README."""

"""Reads of the scoring app. Filled by the issue that builds this capability; see README."""

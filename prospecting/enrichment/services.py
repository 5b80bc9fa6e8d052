"""Writes of the enrichment app. Filled by the issue that builds this capability; see README."""

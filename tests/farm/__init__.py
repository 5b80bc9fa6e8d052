"""A farm of fake websites on 127.0.0.1 for tests and benchmarks: real HTTP and HTTPS servers (a test CA,
SNI per site), realistic headers and HTML, redirects, slow and broken responses."""

from tests.farm.server import Farm, farm_running
from tests.farm.sites import SITES, Site

__all__ = ["SITES", "Farm", "Site", "farm_running"]

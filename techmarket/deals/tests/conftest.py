"""The trade tests' fixtures live in the listings app's conftest (one cast for listings and deals)."""
from techmarket.listings.tests.conftest import *  # noqa: F401,F403

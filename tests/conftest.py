"""Shared test configuration: Hypothesis profiles and the --update-derivations option."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser):
    parser.addoption(
        "--update-derivations",
        action="store_true",
        default=False,
        help="rewrite the golden files in derivations/ instead of comparing them",
    )

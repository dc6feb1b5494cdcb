"""Shared pytest configuration.

Hypothesis profiles, chosen with the HYPOTHESIS_PROFILE environment variable:

- ``dev`` (default): 100 examples per property, quick local runs.
- ``ci``: derandomized (the same examples every run), 60 examples, no deadline, and a
  reproduction blob printed on failure. ``HYPOTHESIS_PROFILE=ci python -m pytest``.
- ``nightly``: 2000 examples, no deadline, for a long search.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          print_blob=True)
settings.register_profile("nightly", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

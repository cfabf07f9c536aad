"""Suite-wide settings: Hypothesis runs derandomised (the same examples on every machine), with no deadline,
since several properties solve a MILP inside and a busy CI machine must not turn speed into failures."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("SYMBIOSIS_CHECK_TABLES", "1")  # every edge and candidate table checked against its schema

settings.register_profile("suite", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

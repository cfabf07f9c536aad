"""Suite-wide settings: Hypothesis runs derandomised (the same examples on every machine), with no deadline,
since several properties solve a MILP inside and a busy CI machine must not turn speed into failures."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("suite", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

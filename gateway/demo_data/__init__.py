"""A deterministic, idempotent demo dataset for My Conex: ``load_demo_data(engine)``.

The dataset is built in memory first (``build``: pure, seeded, relative to a day) and then
written with bulk inserts in one transaction (``loader``). See ``scripted`` for the
well-known demo customers and ``summary`` for the demo logins.
"""

from gateway.demo_data.build import MIN_ACCOUNTS, build_dataset
from gateway.demo_data.loader import DemoDataConflict, load_demo_data
from gateway.demo_data.summary import DEMO_PASSWORD, DemoLogin, DemoSummary

__all__ = [
    "DEMO_PASSWORD",
    "MIN_ACCOUNTS",
    "DemoDataConflict",
    "DemoLogin",
    "DemoSummary",
    "build_dataset",
    "load_demo_data",
]

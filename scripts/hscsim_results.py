"""The older name of the results reader: it is now the hscsim package (python/hscsim),
importable from anywhere after scripts/setup. Kept so that existing scripts still run.

    import hscsim_results as hr
    res = hr.load("output/default.h5")   # = hscsim.open(...)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from hscsim.results import FORMAT, SCHEMA_VERSIONS, Results  # noqa: E402,F401


def load(path: str) -> Results:
    return Results(path)

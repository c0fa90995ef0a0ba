"""Read hscsim results files (HDF5, schema version 1; see output/README.md).

    import hscsim_results as hr
    res = hr.load("output/default.h5")
    res.scenarios                       # ['baseline']
    res.metric("baseline", "population")      # numpy array [replicates, steps]
    res.frame("baseline")               # pandas DataFrame: replicate, step, time_years, metrics...
"""
from __future__ import annotations

import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    sys.exit(f"hscsim_results: {e}. Run through scripts/py, or apt-get install python3-h5py python3-numpy")

FORMAT = "hscsim-results"
SCHEMA_VERSIONS = {1}


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


class Results:
    def __init__(self, path: str):
        self.path = path
        with h5py.File(path, "r") as f:
            fmt = _text(f.attrs.get("format", ""))
            if fmt != FORMAT:
                raise ValueError(f"{path}: not an hscsim results file (format attribute is {fmt!r})")
            version = int(f.attrs["schema_version"])
            if version not in SCHEMA_VERSIONS:
                raise ValueError(f"{path}: schema version {version}; this reader knows {sorted(SCHEMA_VERSIONS)}")
            self.attrs = {k: (_text(v) if isinstance(v, (bytes, str)) else v.item() if hasattr(v, "item") else v)
                          for k, v in f.attrs.items()}
            self.scenarios = list(f["scenarios"].keys())
            self._data = {}
            self.units, self.kinds, self.descriptions = {}, {}, {}
            for s in self.scenarios:
                g = f["scenarios"][s]
                ts = {k: g["timeseries"][k][()] for k in g["timeseries"].keys()}
                bq = {k: g["by_quintile"][k][()] for k in g["by_quintile"].keys()} if "by_quintile" in g else {}
                self._data[s] = (ts, bq)
                for k, d in g["timeseries"].items():
                    if k == "time_years":
                        continue
                    self.units[k] = _text(d.attrs["units"])
                    self.kinds[k] = _text(d.attrs["kind"])
                    self.descriptions[k] = _text(d.attrs["description"])

    @property
    def metrics(self) -> list[str]:
        return sorted(self.units)

    def time_years(self, scenario: str = "baseline"):
        return self._data[scenario][0]["time_years"]

    def metric(self, scenario: str, name: str):
        """[replicates, steps] array."""
        return self._data[scenario][0][name]

    def by_quintile(self, scenario: str, name: str):
        """[replicates, steps, 5] array; quintile 1 (index 0) is the most deprived."""
        return self._data[scenario][1][name]

    def frame(self, scenario: str = "baseline"):
        import pandas as pd
        ts = self._data[scenario][0]
        t = ts["time_years"]
        rows = []
        reps = next(v for k, v in ts.items() if k != "time_years").shape[0]
        for r in range(reps):
            d = {"replicate": r, "step": np.arange(len(t)), "time_years": t}
            for k, v in ts.items():
                if k != "time_years":
                    d[k] = v[r]
            rows.append(pd.DataFrame(d))
        return pd.concat(rows, ignore_index=True)


def load(path: str) -> Results:
    return Results(path)

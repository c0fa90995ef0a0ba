"""hscsim: read, tabulate and plot hscsim results files (HDF5, schema version 1).

    import hscsim
    res = hscsim.open("output/default.h5")
    res.timeseries()                    # tidy: scenario, replicate, step, year, metric, value
    res.summary()                       # mean and 95% t-interval over replicates
    res.comparisons(by="quintile")      # scenario minus baseline, paired, with intervals
    hscsim.plot_timeseries(res, "emergency_admissions")

Needs h5py, numpy and pandas (matplotlib for the plots): Debian's python3-h5py,
python3-numpy, python3-pandas, python3-matplotlib, with the interpreter that can import
them (/usr/bin/python3 on Debian; see DEVELOPERS.md). The file layout is in
output/README.md.
"""
from .results import FORMAT, SCHEMA_VERSIONS, Results, open, t_interval  # noqa: F401
from .plots import (INTERVAL_NOTE, plot_comparison, plot_costs, plot_quintiles,  # noqa: F401
                    plot_timeseries)

__all__ = ["open", "Results", "t_interval", "plot_timeseries", "plot_comparison", "plot_costs", "plot_quintiles",
           "FORMAT", "SCHEMA_VERSIONS", "INTERVAL_NOTE"]

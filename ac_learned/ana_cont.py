"""Use ac_learned from ana_cont: ``method="rlista"``, ``method="rlista+"``, ``model="rlista"``.

>>> from ac_learned.ana_cont import AnalyticContinuationProblem           # doctest: +SKIP
>>> probl = AnalyticContinuationProblem(im_axis=tau, re_axis=w, im_data=g,
...                                     kernel_mode="time_fermionic", beta=10.0)
>>> sol, _ = probl.solve(method="rlista", stdev=err)                      # doctest: +SKIP

or, for an existing script that imports ``ana_cont.continuation``:

>>> from ac_learned.ana_cont import register                              # doctest: +SKIP
>>> register()                                                            # doctest: +SKIP

Importing this module changes nothing in ana_cont; see
:mod:`ac_learned.hosts.ana_cont` for the details and docs/ana_cont.md for a guide.
"""

from __future__ import annotations

from .hosts.ana_cont import (
    DEFAULT_BROADENED_SHARE,
    DEFAULT_FLAT_WEIGHT,
    NEW_METHODS,
    SUPPORTED_KERNEL_MODES,
    AnalyticContinuationProblem,
    is_registered,
    neural_default,
    register,
    solve_rlista,
    unregister,
)

__all__ = [
    "AnalyticContinuationProblem",
    "register",
    "unregister",
    "is_registered",
    "solve_rlista",
    "neural_default",
    "SUPPORTED_KERNEL_MODES",
    "NEW_METHODS",
    "DEFAULT_FLAT_WEIGHT",
    "DEFAULT_BROADENED_SHARE",
]

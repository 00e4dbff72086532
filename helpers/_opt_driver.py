"""Old private home of the driver loop; a re-export shim of :mod:`helpers.optim.driver`.

Kept because hw6's locked cells, ``tests/grading/hw3_gradient_descent.py`` and
``coursetools`` name ``helpers._opt_driver``; remove it once they are migrated (see
/work/coord/api_migration.md).
"""

from .optim.driver import (  # noqa: F401  (re-exports)
    DIVERGENCE_FACTOR,
    HUGE,
    EarlyStop,
    Oracle,
    Rule,
    UpdateRule,
    as_lr_schedule,
    as_point,
    check_callable,
    check_count,
    check_fraction,
    check_positive,
    check_rng,
    diverged_message,
    divergence_reason,
    run,
)

# optml_grading.integrity.no_delegation(helpers._opt_driver) watches this module's code too.
__reexports__ = ("helpers.optim.driver",)

__all__ = [
    "EarlyStop", "Oracle", "UpdateRule", "as_lr_schedule", "as_point", "check_callable",
    "check_count", "check_fraction", "check_positive", "check_rng", "run",
]

"""Deprecated location of the tamper guard: use :mod:`optml_grading.integrity`.

The guard is grading code, not part of what students use, so it moved to the grading package
``optml_grading``. This re-export keeps notebooks that still say
``from helpers import integrity`` working until they are migrated.
"""

from optml_grading.integrity import (  # noqa: F401
    DelegationError,
    Snapshot,
    TamperingError,
    __all__,
    assert_untampered,
    no_delegation,
    snapshot,
)

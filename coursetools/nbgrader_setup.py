"""The grading settings that both nbgrader configuration files apply.

The course's ``nbgrader_config.py`` (an instructor's course folder, the test pipeline) and the
hub's global ``deploy/nbgrader_config.py`` (the formgrader's autograde button for any course
folder) must grade the same way; both call :func:`configure_grading`, so they cannot drift.
"""

from __future__ import annotations

import os


def autograde_preprocessors() -> list:
    """nbgrader's own default ``Autograde.autograde_preprocessors``, hardened.

    ``Execute`` is replaced by :class:`coursetools.classroom_execute.ResilientExecute` (grading
    goes on after a kernel death; the kernel is restored before each test cell, which counts
    only when its hidden block ran to its end) with its kernels in the bubblewrap sandbox
    (:func:`coursetools.sandbox.sandboxed`; ``c.Execute.kernel_manager_class`` would be ignored,
    because nbgrader's Execute passes its own as a keyword), and the policy check of solution
    cells (:class:`coursetools.policy.PolicyCheck`) runs just before it. Deriving the list from
    nbgrader's default keeps every other step nbgrader adds in a later release.
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from coursetools.classroom_execute import ResilientExecute
    from coursetools.sandbox import sandboxed

    execute = sandboxed(ResilientExecute)
    steps = [
        execute if p is Execute else p
        for p in Autograde.class_traits()["autograde_preprocessors"].default()
    ]
    steps.insert(steps.index(execute), "coursetools.policy.PolicyCheck")
    return steps


def configure_grading(c) -> None:
    """Set ``Execute`` and ``Autograde`` on the traitlets config ``c`` of a config file.

    ``Execute.timeout`` is 30 s per cell (``OPTML_CELL_TIMEOUT`` overrides it): every correct
    solution cell runs in well under a second, so only a hanging cell reaches it; that cell is
    interrupted and scores 0, and the rest of the notebook is still graded.
    """
    c.Execute.timeout = int(os.environ.get("OPTML_CELL_TIMEOUT", "30"))
    c.Execute.interrupt_on_timeout = True
    c.Execute.startup_timeout = 120
    c.Autograde.autograde_preprocessors = autograde_preprocessors()

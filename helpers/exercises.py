"""Self-checks for the lectures' "Your turn" exercises.

An exercise in a lecture is three cells (see CONTRIBUTING.md, "Exercises"):

1. a **stub** (tag ``exercise``): the function to write, whose body is a hint and
   ``raise NotImplementedError(...)``;
2. a **check** (tag ``exercise-check``) right after it: ``check(test, hint=...)``, which runs the
   student's code and prints what is right or wrong, and never raises, so that a student who
   runs the whole notebook without solving sees messages, not errors;
3. a **solution** (tag ``solution``, input collapsed with ``metadata.jupyter.source_hidden``):
   the worked answer, ending with ``check(test, must_pass=True)``, so the build (which runs
   every cell) fails if a solution is wrong.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

__all__ = ["check", "CheckResult"]


class CheckResult:
    """Outcome of :func:`check`.

    ``status`` is ``"correct"``, ``"not done"``, ``"wrong"`` or ``"error"``.

    Truthy only when the check passed. It has no rich display, so a cell that ends with
    ``check(...)`` shows only the printed message.
    """

    __slots__ = ("status", "message")

    def __init__(self, status: str, message: str):
        self.status = status
        self.message = message

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return f"CheckResult({self.status!r})"

    def _repr_pretty_(self, p, cycle):  # IPython: print nothing as the cell's value
        pass


def check(
    test: Callable[[], object],
    *,
    hint: str = "",
    success: str = "Correct.",
    must_pass: bool = False,
) -> CheckResult:
    """Run an exercise's test and print a message a student can act on.

    Parameters
    ----------
    test : callable
        Called with no arguments. It calls the student's code and ``assert``\\s on the result, with
        failure messages that say what was expected and what came (``assert np.isclose(got, 2.0),
        f"expected 2.0, got {got}"``). What it returns is ignored.
    hint : str, optional
        Printed after a failed or unfinished attempt.
    success : str, optional
        Printed when the test passes (say what the student has now shown).
    must_pass : bool, optional
        For the solution cell: raise ``AssertionError`` unless the test passes, so a wrong
        solution fails the build instead of printing a message.

    Returns
    -------
    CheckResult
        ``status`` is ``"correct"``, ``"not done"`` (the code raised ``NotImplementedError``),
        ``"wrong"`` (an assertion failed) or ``"error"`` (any other exception).

    Raises
    ------
    TypeError
        If ``test`` is not callable.
    AssertionError
        If ``must_pass`` is true and the test did not pass.

    Examples
    --------
    >>> def double(x):
    ...     raise NotImplementedError("write double(x)")
    >>> def test():
    ...     assert double(2) == 4, f"double(2) should be 4, got {double(2)}"
    >>> check(test, hint="multiply by two")
    Not done yet: write double(x)
    Hint: multiply by two
    (The solution is in the collapsed cell below: click its blue bar to expand it.)
    CheckResult('not done')
    """
    if not callable(test):
        raise TypeError(f"check() expects a function with no arguments, got {type(test).__name__}")
    try:
        test()
    except NotImplementedError as exc:
        status, head = "not done", f"Not done yet: {exc}" if str(exc) else "Not done yet."
    except AssertionError as exc:
        status, head = "wrong", f"Not quite: {exc}" if str(exc) else "Not quite: a check failed."
    except Exception as exc:  # the student's code may raise anything; report it, do not stop
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        status = "error"
        head = f"Your code raised {type(exc).__name__}: {exc} (line {frame.lineno}: {frame.line})"
    else:
        print(success)
        return CheckResult("correct", success)
    if must_pass:
        raise AssertionError(f"the solution does not pass its own check: {head}")
    lines = [head]
    if hint:
        lines.append(f"Hint: {hint}")
    lines.append("(The solution is in the collapsed cell below: click its blue bar to expand it.)")
    message = "\n".join(lines)
    print(message)
    return CheckResult(status, message)

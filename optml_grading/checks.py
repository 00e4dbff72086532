"""Visible-test helpers imported by the homework's locked setup cell.

They live in a module (not in a notebook cell) so that the grader can verify and restore them
before every test cell; see :mod:`optml_grading.integrity`.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np

__all__ = ["expect_close", "expect_unchanged", "quiet"]


class quiet:  # noqa: N801  (used like a function: ``with quiet():``)
    """Run student code so that warnings and stderr output cannot cost points.

    nbgrader gives 0 to a test cell with *any* stderr output, so a correct solution whose
    ``np.where(norm > r, r * x / norm, x)`` divides by zero at the origin (a ``RuntimeWarning``
    that changes nothing in the result) would lose the cell. Inside ``with quiet():`` numpy's
    floating-point warnings are off, every Python warning is recorded instead of printed, and
    whatever is written to ``sys.stderr`` goes to a buffer. Exceptions (failed checks) pass
    through unchanged: only the check's own result decides the cell.

    It is a class rather than a ``contextlib.contextmanager`` generator so that the tamper
    guard can compare its methods with the code of this file.

    Attributes
    ----------
    caught : list of warnings.WarningMessage
        The warnings raised inside the block (also what ``with quiet() as caught`` binds).

    Examples
    --------
    >>> with quiet() as caught:
    ...     _ = np.log(np.zeros(1))
    ...     warnings.warn("not shown")
    >>> [str(w.message) for w in caught]
    ['not shown']
    """

    def __init__(self) -> None:
        self.caught: list = []
        self._stack: contextlib.ExitStack | None = None

    def __enter__(self) -> list:
        stack = contextlib.ExitStack()
        self.caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        self._stack = stack
        return self.caught

    def __exit__(self, *exc_info) -> bool:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()
        return False


def expect_close(call, got, expected, atol=1e-8, rtol=1e-6):
    """Visible-test helper: say what was called, what came back and what was expected.

    Parameters
    ----------
    call : str
        The call being tested, as the student would type it (shown in the message).
    got : array_like
        What the call returned.
    expected : array_like
        The expected value.
    atol, rtol : float, optional
        Tolerances of :func:`numpy.allclose`.

    Raises
    ------
    AssertionError
        If ``got`` is not an array of numbers, has the wrong shape or is not close to
        ``expected``; the message names the call, the value returned and the value expected.

    Examples
    --------
    >>> expect_close("1 + 1", 2.0, 2)
    >>> expect_close("1 + 1", 3.0, 2)
    Traceback (most recent call last):
    ...
    AssertionError: 1 + 1 returned
    3.0
    but the expected value is
    2.0
    """
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{call} returned {got!r}, which is not an array of numbers") from None
    expected = np.asarray(expected, dtype=float)
    assert got_arr.shape == expected.shape, (
        f"{call} returned an array of shape {got_arr.shape}; expected shape {expected.shape}"
    )
    assert np.allclose(got_arr, expected, atol=atol, rtol=rtol), (
        f"{call} returned\n{got_arr}\nbut the expected value is\n{expected}"
    )


def expect_unchanged(call, arrays, copies):
    """Visible-test helper: the call must not have modified the arrays it was given.

    Parameters
    ----------
    call : str
        The call being tested (shown in the message).
    arrays : sequence of array_like
        The arrays passed to the call, after it returned.
    copies : sequence of array_like
        Copies of them taken before the call.

    Raises
    ------
    AssertionError
        If an array differs from its copy.

    Examples
    --------
    >>> x = np.zeros(2)
    >>> expect_unchanged("f(x)", [x], [x.copy()])
    """
    for array, copy in zip(arrays, copies, strict=True):
        assert np.array_equal(array, copy), (
            f"{call}: the call changed an input array in place (it was {copy}, now {array}); "
            "return new arrays instead (x = x - ..., not x -= ...)"
        )

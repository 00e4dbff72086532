"""The one module of input checks shared by every part of :mod:`helpers`.

Each check either returns a cleaned value or raises a ``TypeError``/``ValueError`` whose
message names the argument, says what was expected and shows what came. They are private to
the package (the leading underscore), but their names and signatures are stable so that every
module reports bad input the same way.

Examples
--------
>>> from helpers._validation import as_float_array
>>> as_float_array([1, 2], "x", ndim=1, last_dim=2)
array([1., 2.])
>>> as_float_array([1.0, float("nan")], "x")
Traceback (most recent call last):
...
ValueError: x must contain only finite numbers; got 1 NaN/inf value(s) in an array of shape (2,)
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_lr_schedule",
    "as_point",
    "as_points",
    "check_callable",
    "check_count",
    "check_fraction",
    "check_integer",
    "check_positive",
    "check_rng",
    "describe",
]


def describe(value) -> str:
    """Describe ``value`` briefly for an error message (type, and shape for arrays).

    Examples
    --------
    >>> describe(np.zeros((2, 3)))
    'an array of shape (2, 3)'
    >>> describe("abc")
    "str 'abc'"
    """
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _shape_text(ndim: int | None, last_dim: int | None) -> str:
    if ndim is None:
        return f"(..., {last_dim})" if last_dim is not None else "any shape"
    if ndim == 0:
        return "() (a scalar)"
    dims = ["m", "k", "l", "p", "q"][: ndim - 1] if ndim > 1 else []
    dims = dims + [str(last_dim) if last_dim is not None else "n"]
    return "(" + ", ".join(dims) + ("," if ndim == 1 else "") + ")"


def as_float_array(
    x,
    name: str = "x",
    ndim: int | None = None,
    last_dim: int | None = None,
    *,
    finite: bool = True,
    copy: bool = False,
) -> np.ndarray:
    """Convert ``x`` to a float64 array and check its shape and values.

    Parameters
    ----------
    x : array_like
        Numbers: scalars, lists, tuples or arrays of ints, floats or bools.
    name : str
        The argument's name, used in error messages.
    ndim : int, optional
        Required number of dimensions (e.g. ``1`` for a single point).
    last_dim : int, optional
        Required length of the last axis (e.g. ``n`` for points of shape ``(..., n)``).
    finite : bool, default True
        Reject NaN and infinite entries.
    copy : bool, default False
        Always return a new array (otherwise a float64 input may be returned as is).

    Returns
    -------
    numpy.ndarray
        The values as float64.

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, complex numbers, ``None``).
    ValueError
        If the shape is not the required one or (with ``finite``) a value is NaN/inf.

    Examples
    --------
    >>> as_float_array(3, "t")
    array(3.)
    >>> as_float_array([[1, 2], [3, 4]], "X", last_dim=2).shape
    (2, 2)
    >>> as_float_array([1, 2, 3], "x", last_dim=2)
    Traceback (most recent call last):
    ...
    ValueError: x must have shape (..., 2); got shape (3,)
    """
    if x is None:
        raise TypeError(f"{name} must be an array of numbers; got None")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of numbers; got {describe(x)}"
        ) from err
    if arr.dtype.kind not in "biuf":
        what = "complex numbers" if arr.dtype.kind == "c" else f"dtype {arr.dtype}"
        raise TypeError(
            f"{name} must be an array of real numbers; got {what} in {describe(x)}"
        )
    arr = np.array(arr, dtype=np.float64, copy=True if copy else None)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must have shape {_shape_text(ndim, last_dim)} ({ndim}-D); "
            f"got shape {arr.shape} ({arr.ndim}-D)"
        )
    if last_dim is not None and (arr.ndim == 0 or arr.shape[-1] != last_dim):
        raise ValueError(
            f"{name} must have shape {_shape_text(ndim, last_dim)}; got shape {arr.shape}"
        )
    if finite and not np.all(np.isfinite(arr)):
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} must contain only finite numbers; got {bad} NaN/inf value(s) in an array "
            f"of shape {arr.shape}"
        )
    return arr


def check_callable(f, name: str = "f"):
    """Return ``f`` if it is callable, else raise ``TypeError``.

    Examples
    --------
    >>> check_callable(abs, "f") is abs
    True
    >>> check_callable(3.0, "grad_f")
    Traceback (most recent call last):
    ...
    TypeError: grad_f must be callable (a function of x); got float 3.0
    """
    if not callable(f):
        raise TypeError(f"{name} must be callable (a function of x); got {describe(f)}")
    return f


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float if it is a finite positive real number.

    Examples
    --------
    >>> check_positive(2, "lr")
    2.0
    >>> check_positive(-0.1, "lr")
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number > 0; got -0.1
    """
    sign = ">= 0" if allow_zero else "> 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number {sign}; got {describe(value)}")
    v = float(value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {sign}; got {value!r}")
    return v


def check_integer(value, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer (not a bool) ``>= minimum``.

    Examples
    --------
    >>> check_integer(3, "n", minimum=1)
    3
    >>> check_integer(2.5, "n")
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer; got float 2.5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {describe(value)}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {v}")
    return v


# --------------------------------------------------------------------------- optimizer inputs
def as_point(x0, name: str = "x0") -> np.ndarray:
    """Return ``x0`` as a finite 1-D float array (a copy), or raise a clear error.

    Examples
    --------
    >>> as_point(3.0)
    array([3.])
    >>> as_point([[1.0, 2.0]])
    Traceback (most recent call last):
    ...
    ValueError: x0 must be a non-empty 1-D array of shape (n,), got shape (1, 2)
    """
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(x0).__name__}") from err
    if x.ndim == 0:
        x = x.reshape(1)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of shape (n,), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {x}")
    return x


def as_points(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a float array of points of shape ``(..., n)`` (``n >= 1``).

    Examples
    --------
    >>> as_points([[1, 2], [3, 4]]).shape
    (2, 2)
    >>> as_points(1.0)
    Traceback (most recent call last):
    ...
    ValueError: x must have shape (..., n) with n >= 1, got a scalar
    """
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers of shape (..., n), "
                        f"got {type(x).__name__}") from err
    if arr.ndim == 0:
        raise ValueError(f"{name} must have shape (..., n) with n >= 1, got a scalar")
    return arr


def check_fraction(value, name: str) -> float:
    """A number in [0, 1) such as a momentum or decay coefficient.

    Examples
    --------
    >>> check_fraction(0.9, "beta")
    0.9
    >>> check_fraction(1, "beta")
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1), got 1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1), got {type(value).__name__}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def check_count(value, name: str, *, minimum: int = 1) -> int:
    """An integer ``>= minimum`` such as ``maxiter`` or ``batch_size``.

    Examples
    --------
    >>> check_count(0, "maxiter", minimum=0)
    0
    """
    return check_integer(value, name, minimum=minimum)


def check_rng(rng) -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``, else raise ``TypeError``.

    Examples
    --------
    >>> check_rng(42)
    Traceback (most recent call last):
    ...
    TypeError: rng must be a numpy Generator, e.g. np.random.default_rng(0), got int
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy Generator, e.g. np.random.default_rng(0), "
            f"got {type(rng).__name__}"
        )
    return rng


def as_lr_schedule(lr, name: str = "lr"):
    """Turn a learning rate (positive number or callable ``t -> lr``) into a callable.

    Examples
    --------
    >>> as_lr_schedule(0.1)(7)
    0.1
    """
    if callable(lr):
        return lr
    value = check_positive(lr, name)
    return lambda t: value

"""Tamper guard for graded homework: detect monkeypatched comparison functions and delegation.

nbgrader restores edited test cells, but it cannot see a student cell that replaces
``np.allclose`` (or ``np.testing.assert_allclose``, ``len``, a ``helpers`` function, ...) at run
time so that every later assertion passes. Homework notebooks therefore take a
:func:`snapshot` in their first locked cell, before any student code runs, and every hidden-test
cell starts with :func:`assert_untampered`. Where an assignment asks students to implement
something :mod:`helpers` already provides, hidden tests wrap the call in :func:`no_delegation`,
which fails if the student's code calls into the named ``helpers`` modules.

This module is for graders; students never need to call it. It lives outside the student
package ``helpers`` (in the grading package :mod:`optml_grading`).

Notes
-----
:func:`assert_untampered` makes three independent checks for every guarded name:

1. *identity*: every public callable of ``numpy``, ``numpy.linalg``, ``numpy.testing``,
   ``numpy.random``, ``math``, ``builtins`` and every ``helpers`` module (and the methods of
   ``helpers`` classes) is still the object recorded by :func:`snapshot`, backed by the same
   code object (its ``__code__``, or ``_implementation.__code__`` for numpy's dispatchers), so a
   ``__code__`` swap is caught too; the guarded modules are still the ones in ``sys.modules``;
2. *fresh reference*: numpy's comparison functions are the same objects as those in the
   submodules that define them (``numpy._core.numeric.allclose``,
   ``numpy.testing._private.utils.assert_allclose``);
3. *provenance*: those comparison functions and every public ``helpers`` function run code
   compiled from a file inside the numpy or ``helpers`` package, so a lambda typed in a notebook
   cell is caught even if the snapshot was (re)taken after the replacement;
4. *notebook names*: ``snapshot(globals())`` records the names the locked setup cell bound
   (``np``, ``helpers``, ``_integrity``, ``expect_close``, ...); each must still be the recorded
   object, and each must still be the genuine one (the module in ``sys.modules``, the function
   of that name in the module that defines it);
5. *the guard itself*: every function of this module (and of :mod:`optml_grading.checks`) must
   still run the code compiled from its own file, checked against a fresh compile of that file.

A student who replaces :func:`assert_untampered` itself makes check 5 unreachable from inside
the notebook. That is why the grader does not rely on it alone: before every graded test cell
``coursetools.classroom_execute.ResilientExecute`` restores this module, the setup names and the
kernel's hooks from references taken before any student code ran, and only counts a test cell
whose hidden block ran to its end (see that module's docstring).

Examples
--------
>>> import numpy as np
>>> from optml_grading import integrity
>>> snap = integrity.snapshot()
>>> integrity.assert_untampered(snap)
>>> original = np.allclose
>>> np.allclose = lambda *args, **kwargs: True
>>> try:
...     integrity.assert_untampered(snap)
... except integrity.TamperingError as err:
...     print(str(err).splitlines()[0])  # doctest: +ELLIPSIS
tampering detected: numpy.allclose is no longer the original object (now <function <lambda> ...
>>> np.allclose = original
>>> integrity.assert_untampered(snap)
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import sys
import types
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = [
    "DelegationError",
    "Snapshot",
    "TamperingError",
    "assert_untampered",
    "no_delegation",
    "snapshot",
]

#: numpy names whose defining submodule is checked as a fresh reference.
_FRESH_HOMES = {
    "numpy.allclose": ("numpy._core.numeric", "allclose"),
    "numpy.isclose": ("numpy._core.numeric", "isclose"),
    "numpy.array_equal": ("numpy._core.numeric", "array_equal"),
    "numpy.array_equiv": ("numpy._core.numeric", "array_equiv"),
    "numpy.testing.assert_allclose": ("numpy.testing._private.utils", "assert_allclose"),
    "numpy.testing.assert_array_equal": ("numpy.testing._private.utils", "assert_array_equal"),
    "numpy.testing.assert_array_almost_equal": (
        "numpy.testing._private.utils",
        "assert_array_almost_equal",
    ),
    "numpy.testing.assert_almost_equal": ("numpy.testing._private.utils", "assert_almost_equal"),
    "numpy.testing.assert_equal": ("numpy.testing._private.utils", "assert_equal"),
    "numpy.testing.assert_array_less": ("numpy.testing._private.utils", "assert_array_less"),
}

#: Namespaces whose every public attribute is recorded.
_NAMESPACES = ("numpy", "numpy.linalg", "numpy.testing", "numpy.random", "math")

#: Builtins a notebook kernel legitimately rebinds while it runs cells.
_VOLATILE_BUILTINS = frozenset(
    {"exit", "quit", "get_ipython", "display", "copyright", "credits", "license", "help", "input"}
)

#: Attributes of :mod:`sys` that tests and :func:`no_delegation` rely on.
_SYS_NAMES = ("setprofile", "getprofile", "modules", "exit")

#: Names IPython binds in a notebook's namespace; never part of the setup cell's record.
_IPYTHON_NAMES = frozenset(
    {"In", "Out", "get_ipython", "exit", "quit", "open", "_", "__", "___", "_dh", "_oh", "_ih"}
)

#: Modules whose functions must run code compiled from their own file (the guard itself).
_SELF_MODULES = ("optml_grading.integrity", "optml_grading.checks")

#: The file of :func:`contextlib.contextmanager`'s wrapper (decorated guard functions).
_CONTEXTLIB_FILE = os.path.realpath(contextmanager.__code__.co_filename)

#: Packages a setup-cell function may come from (checked to be genuine).
_LOCKED_PACKAGES = ("optml_grading", "helpers", "numpy", "math", "matplotlib")


class TamperingError(AssertionError):
    """A guarded function was replaced after (or before) :func:`snapshot`."""


class DelegationError(AssertionError):
    """Student code called a ``helpers`` function it was asked to implement itself."""


@dataclass(frozen=True)
class Snapshot:
    """Identities and code objects of the guarded names, taken by :func:`snapshot`.

    Attributes
    ----------
    objects : dict
        ``"module.name" -> object`` for every guarded name.
    codes : dict
        ``"module.name" -> code object`` for guarded names backed by Python code.
    modules : dict
        ``"module" -> module object`` for the guarded namespaces.
    names : dict
        ``name -> object`` for the names the notebook's locked setup cell bound (empty if
        :func:`snapshot` was called without a namespace).
    namespace : dict or None
        The notebook's ``globals()`` passed to :func:`snapshot`.
    """

    objects: dict = field(repr=False)
    codes: dict = field(repr=False)
    modules: dict = field(repr=False)
    names: dict = field(repr=False, default_factory=dict)
    namespace: dict | None = field(repr=False, default=None)

    def __repr__(self) -> str:
        return (
            f"Snapshot({len(self.objects)} guarded names, {len(self.codes)} code objects, "
            f"{len(self.names)} notebook names)"
        )


def _code_of(obj: object) -> types.CodeType | None:
    """The Python code object behind ``obj`` (function, method, numpy dispatcher), if any."""
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    impl = getattr(type(obj), "_implementation", None)
    if impl is not None or type(obj).__name__ == "_ArrayFunctionDispatcher":
        obj = getattr(obj, "_implementation", obj)
    code = getattr(obj, "__code__", None)
    return code if isinstance(code, types.CodeType) else None


def _package_dir(module_name: str) -> str:
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    return os.path.dirname(os.path.realpath(module.__file__))


def _helpers_modules() -> dict[str, types.ModuleType]:
    import helpers  # noqa: F401  (make sure the package and its submodules are loaded)

    return {
        name: module
        for name, module in sorted(sys.modules.items())
        if (name == "helpers" or name.startswith("helpers."))
        and isinstance(module, types.ModuleType)
    }


def _guarded_items(modules: dict[str, types.ModuleType]) -> Iterator[tuple[str, object]]:
    for mod_name, module in modules.items():
        for attr, value in vars(module).items():
            if attr.startswith("_") or isinstance(value, types.ModuleType):
                continue
            if callable(value):
                yield f"{mod_name}.{attr}", value
                if isinstance(value, type) and mod_name.startswith("helpers"):
                    for meth_name, meth in vars(value).items():
                        if isinstance(meth, types.FunctionType):
                            yield f"{mod_name}.{attr}.{meth_name}", meth
    for attr, value in vars(builtins).items():
        if not attr.startswith("_") and attr not in _VOLATILE_BUILTINS and callable(value):
            yield f"builtins.{attr}", value
    for attr in _SYS_NAMES:
        yield f"sys.{attr}", getattr(sys, attr)


def _current_modules() -> dict[str, types.ModuleType]:
    modules = {name: importlib.import_module(name) for name in _NAMESPACES}
    modules.update(_helpers_modules())
    return modules


def _is_locked_name(name: str, value: object) -> bool:
    """True for a setup-cell binding worth recording: a module or a function of a locked package."""
    if name in _IPYTHON_NAMES or (name.startswith("_") and name[1:].isdigit()):
        return False
    if name.startswith("__") or (name.startswith("_i") and name[2:].isdigit()):
        return False
    if isinstance(value, types.ModuleType):
        return True
    module = getattr(value, "__module__", None)
    return (
        callable(value)
        and isinstance(module, str)
        and module.split(".")[0] in _LOCKED_PACKAGES
    )


def snapshot(namespace: dict | None = None) -> Snapshot:
    """Record the guarded names; call it in the first locked cell, before any student code.

    Parameters
    ----------
    namespace : dict, optional
        The notebook's ``globals()``. Its modules and the functions it holds from locked packages
        (``optml_grading``, ``helpers``, ``numpy``, ...) are recorded, and
        :func:`assert_untampered` checks that they are still bound to the same, genuine objects.

    Returns
    -------
    Snapshot
        Pass it to :func:`assert_untampered` at the start of every hidden-test cell.

    Raises
    ------
    TypeError
        If ``namespace`` is not a dict.

    Examples
    --------
    >>> import numpy as np
    >>> snap = snapshot({"np": np})
    >>> "numpy.allclose" in snap.objects and "builtins.len" in snap.objects, list(snap.names)
    (True, ['np'])
    """
    if namespace is not None and not isinstance(namespace, dict):
        raise TypeError(
            f"snapshot expects the notebook's globals() (a dict); got {namespace!r:.80}"
        )
    modules = _current_modules()
    objects, codes = {}, {}
    for name, value in _guarded_items(modules):
        objects[name] = value
        code = _code_of(value)
        if code is not None:
            codes[name] = code
    names = {
        name: value
        for name, value in (namespace or {}).items()
        if isinstance(name, str) and _is_locked_name(name, value)
    }
    return Snapshot(
        objects=objects, codes=codes, modules=dict(modules), names=names, namespace=namespace
    )


#: ``(file, mtime, size) -> fresh codes``: compiled once per version of the file.
_FRESH: dict = {}


def _fresh_codes(module: types.ModuleType) -> dict[str, types.CodeType]:
    """``qualname -> code`` for every function defined in ``module``'s file, freshly compiled.

    The compile is cached per (file, modification time, size): the guard's files are read-only
    while grading, and the cache is reachable only through this module, which the policy check
    keeps student code away from.
    """
    filename = module.__file__
    stat = os.stat(filename)
    key = (filename, stat.st_mtime_ns, stat.st_size)
    if key not in _FRESH:
        _FRESH[key] = _compile_codes(filename)
    return _FRESH[key]


def _compile_codes(filename: str) -> dict[str, types.CodeType]:
    with open(filename, encoding="utf-8") as handle:
        tree = compile(handle.read(), filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    top = compile(tree, filename, "exec", dont_inherit=True)
    found: dict[str, types.CodeType] = {}
    stack = [top]
    while stack:
        code = stack.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found.setdefault(const.co_qualname, const)
                stack.append(const)
    return found


def _self_problems() -> list[str]:
    """Functions of the guard modules that no longer run the code of their own file."""
    problems = []
    for mod_name in _SELF_MODULES:
        module = sys.modules.get(mod_name)
        if module is None:
            continue
        try:
            fresh = _fresh_codes(module)
        except (OSError, SyntaxError, TypeError) as err:
            problems.append(f"cannot re-read {mod_name} to verify it ({err})")
            continue
        top_level = {q for q in fresh if "." not in q and "<" not in q}
        for qualname in sorted(top_level):
            value = vars(module).get(qualname)
            if isinstance(value, type):
                continue
            wrapped = getattr(value, "__wrapped__", None)
            if isinstance(value, types.FunctionType) and wrapped is not None:
                # a decorated function (``@contextmanager``): the wrapper must be the library's
                if os.path.realpath(value.__code__.co_filename) != _CONTEXTLIB_FILE:
                    problems.append(f"{mod_name}.{qualname} has a foreign wrapper")
                value = wrapped
            if not isinstance(value, types.FunctionType) or value.__code__ != fresh[qualname]:
                problems.append(f"{mod_name}.{qualname} is not the function defined in its file")
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == mod_name:
                for meth_name, meth in vars(value).items():
                    qual = f"{value.__qualname__}.{meth_name}"
                    if isinstance(meth, types.FunctionType) and qual in fresh:
                        if meth.__code__ != fresh[qual]:
                            problems.append(f"{mod_name}.{qual} is not the method in its file")
    return problems


def _genuine(name: str, value: object) -> str | None:
    """Why the setup-cell binding ``name = value`` is not the genuine object (None if it is)."""
    if isinstance(value, types.ModuleType):
        if sys.modules.get(value.__name__) is not value:
            return f"{name} is not the module {value.__name__} in sys.modules"
        return None
    module = sys.modules.get(getattr(value, "__module__", "") or "")
    qualname = getattr(value, "__qualname__", getattr(value, "__name__", ""))
    owner: object = module
    for part in str(qualname).split("."):
        owner = getattr(owner, part, None)
    if module is None or owner is not value:
        return f"{name} is not {getattr(value, '__module__', '?')}.{qualname}"
    return None


def _namespace_problems(snap: Snapshot) -> list[str]:
    problems = []
    namespace = snap.namespace
    if namespace is None:
        return problems
    for name, original in snap.names.items():
        current = namespace.get(name, None)
        if current is not original:
            problems.append(f"the notebook name {name} was rebound (now {current!r:.60})")
            continue
        why = _genuine(name, current)
        if why:
            problems.append(why)
    if "_GUARD" in namespace and namespace["_GUARD"] is not snap:
        problems.append("the notebook name _GUARD is not the snapshot being checked")
    me = sys.modules.get(__name__)
    if namespace.get("_integrity", me) is not me:
        problems.append("the notebook name _integrity is not optml_grading.integrity")
    return problems


def _lookup(name: str, modules: dict[str, types.ModuleType]) -> object:
    if name.startswith("builtins."):
        return getattr(builtins, name.split(".", 1)[1], None)
    if name.startswith("sys."):
        return getattr(sys, name.split(".", 1)[1], None)
    for mod_name in sorted(modules, key=len, reverse=True):
        if name.startswith(mod_name + "."):
            obj: object = modules[mod_name]
            for part in name[len(mod_name) + 1 :].split("."):
                obj = (vars(obj) if isinstance(obj, type) else vars(obj)).get(part, None)
                if obj is None:
                    return None
            return obj
    return None


def _from_package(code: types.CodeType, package_dir: str) -> bool:
    """True if ``code`` was compiled from a file of the package in ``package_dir``.

    Cython functions report a path relative to the site directory (``numpy/random/x.pyx``);
    code typed in a notebook reports ``<ipython-input-...>`` or a temporary file.
    """
    filename = code.co_filename
    if os.path.isabs(filename):
        return os.path.realpath(filename).startswith(package_dir + os.sep)
    package = os.path.basename(package_dir)
    return filename.startswith(package + "/") or filename.startswith(package + os.sep)


def _problems(snap: Snapshot) -> list[str]:
    problems = _namespace_problems(snap)
    # modules themselves swapped out (``np.testing = fake``, ``sys.modules[...] = fake``)
    for mod_name, module in snap.modules.items():
        if sys.modules.get(mod_name) is not module:
            problems.append(f"module {mod_name} was replaced in sys.modules")
        parent, _, child = mod_name.rpartition(".")
        if parent and getattr(sys.modules.get(parent), child, module) is not module:
            problems.append(f"{mod_name} was rebound on its parent module")
    numpy_dir = _package_dir("numpy")
    helpers_dir = _package_dir("helpers")
    for name, original in snap.objects.items():
        current = _lookup(name, snap.modules)
        same_method = isinstance(original, types.MethodType) and current == original
        if current is not original and not same_method:
            problems.append(f"{name} is no longer the original object (now {current!r:.60})")
            continue
        if name in snap.codes:
            code = _code_of(current)
            if code is not snap.codes[name]:
                problems.append(f"{name}.__code__ was swapped")
                continue
    helpers_pkg = snap.modules.get("helpers")
    for attr in getattr(helpers_pkg, "__all__", ()):
        value = getattr(helpers_pkg, attr, None)
        if isinstance(value, types.ModuleType) or not callable(value):
            continue
        code = _code_of(value)
        if not str(getattr(value, "__module__", "")).startswith("helpers") or (
            code is not None and not _from_package(code, helpers_dir)
        ):
            problems.append(f"helpers.{attr} is not the function defined in the helpers package")
    for name, (home_mod, attr) in _FRESH_HOMES.items():
        fresh = getattr(importlib.import_module(home_mod), attr)
        current = _lookup(name, snap.modules)
        if current is not fresh:
            problems.append(f"{name} differs from {home_mod}.{attr}")
        code = _code_of(fresh)
        if code is not None and not _from_package(code, numpy_dir):
            problems.append(f"{home_mod}.{attr} runs code from {code.co_filename}")
    return problems


def assert_untampered(snap: Snapshot) -> None:
    """Raise :class:`TamperingError` if any guarded name changed since ``snap`` was taken.

    Parameters
    ----------
    snap : Snapshot
        What :func:`snapshot` returned in the notebook's first locked cell.

    Raises
    ------
    TamperingError
        Listing every changed name (an ``AssertionError``, so the test cell fails).
    TypeError
        If ``snap`` is not a :class:`Snapshot`.

    Examples
    --------
    >>> assert_untampered(snapshot())
    """
    if not isinstance(snap, Snapshot) or type(snap) is not sys.modules[__name__].Snapshot:
        raise TypeError(f"assert_untampered expects a Snapshot from snapshot(); got {snap!r:.80}")
    problems = _self_problems()  # first, and not through _problems: it may be the one swapped
    problems += _problems(snap)
    if problems:
        shown = "\n  ".join(problems[:12])
        more = f"\n  ... and {len(problems) - 12} more" if len(problems) > 12 else ""
        raise TamperingError(
            f"tampering detected: {problems[0]} ({len(problems)} problem(s) in all); a notebook "
            "cell replaced functions the tests rely on:\n  " + shown + more
        )


def _reexported_modules(module: types.ModuleType) -> tuple[str, ...]:
    names = vars(module).get("__reexports__", ())
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{module.__name__}.__reexports__ must be a tuple of module names")
    return tuple(names)


def _targets_to_code(
    targets: Iterable[object],
) -> tuple[set[types.CodeType], set[str], list[str], tuple[str, ...]]:
    codes, files, names, dirs = set(), set(), [], []
    for target in targets:
        if isinstance(target, types.ModuleType):
            paths = getattr(target, "__path__", None)
            if paths is not None:  # a package: every module under it
                dirs.extend(os.path.realpath(p) + os.sep for p in paths)
            else:
                files.add(os.path.realpath(target.__file__))
            # A module that re-exports another module's code (helpers.optimizers, whose code
            # is in helpers.optim) names it in __reexports__: the check then covers the code
            # it stands for.
            for name in _reexported_modules(target):
                files.add(os.path.realpath(importlib.import_module(name).__file__))
            names.append(target.__name__)
            continue
        if isinstance(target, type):
            for value in vars(target).values():
                code = _code_of(value)
                if code is not None:
                    codes.add(code)
            names.append(target.__qualname__)
            continue
        code = _code_of(target)
        if code is None:
            raise TypeError(f"no_delegation expects modules, classes or functions; got {target!r}")
        codes.add(code)
        names.append(getattr(target, "__qualname__", repr(target)))
    return codes, files, names, tuple(dirs)


@contextmanager
def no_delegation(*targets: object) -> Iterator[list[str]]:
    """Fail if code run inside the ``with`` block calls into ``targets``.

    Parameters
    ----------
    *targets : module, package, class or function
        What the student must not call, e.g. ``helpers.gradcheck`` (every function defined in
        that file), ``helpers`` (every module of the package, ``helpers.optim.linesearch``
        and private ones such as ``helpers._validation`` included), ``helpers.optim`` (every
        module under it), ``helpers.Problem`` (its methods) or ``helpers.newton``. Aliases,
        wrappers, bound methods and ``from helpers import ...`` copies are all caught, because
        the check looks at the code objects that actually run (via :func:`sys.setprofile`).

    Yields
    ------
    list of str
        The qualified names of forbidden functions called so far.

    Raises
    ------
    DelegationError
        On leaving the block, if a forbidden function was called or the profiler was removed.

    Examples
    --------
    >>> def double(x):
    ...     return 2 * x
    >>> def lazy(x):
    ...     return double(x)
    >>> with no_delegation(double):  # doctest: +ELLIPSIS
    ...     _ = lazy(1)
    Traceback (most recent call last):
    ...
    optml_grading.integrity.DelegationError: delegation: the code under test called double, ...
    """
    codes, files, names, dirs = _targets_to_code(targets)
    calls: list[str] = []
    seen: dict[str, bool] = {}

    def in_dirs(filename: str) -> bool:
        hit = seen.get(filename)
        if hit is None:
            real = os.path.realpath(filename) if os.path.isabs(filename) else filename
            hit = seen[filename] = real in files or real.startswith(dirs)
        return hit

    def profiler(frame: types.FrameType, event: str, arg: object) -> None:
        if event == "call":
            code = frame.f_code
            if code in codes or code.co_filename in files or (dirs and in_dirs(code.co_filename)):
                calls.append(code.co_qualname if hasattr(code, "co_qualname") else code.co_name)

    previous = sys.getprofile()
    sys.setprofile(profiler)
    try:
        yield calls
    finally:
        still_ours = sys.getprofile() is profiler
        sys.setprofile(previous)
    if not still_ours:
        raise DelegationError("the code under test removed the call profiler (sys.setprofile)")
    if calls:
        shown = ", ".join(dict.fromkeys(calls))
        raise DelegationError(
            f"delegation: the code under test called {shown}, which this exercise asks you to "
            "implement yourself"
        )

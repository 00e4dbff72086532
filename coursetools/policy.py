"""Policy check of students' cells: constructs a homework solution must not use, found by ``ast``.

Every code cell a student can write (solution cells and cells the student added; not the locked
cells, which nbgrader's ``OverwriteCells`` has already put back) is parsed with :mod:`ast` and
checked against the assignment's policy, a table kept here, in the grader's code, never read from
the submission:

* **imports**: only ``numpy``, ``math`` and harmless standard-library modules
  (:data:`COMMON_IMPORTS`), and from ``helpers`` only the names the assignment allows
  (:data:`POLICIES`); ``scipy.optimize`` is named specially (the methods are the task);
* **tools to reach the grader**: ``exec``, ``eval``, ``compile``, ``__import__``, ``importlib``,
  ``globals``/``locals``/``vars``, ``breakpoint``, ``get_ipython``, IPython's history (``In``,
  ``Out``, ``_ih``, ``_i3``, ...), names starting with ``_optml``, ``sys``, ``builtins``,
  ``ctypes``, ``gc``, ``inspect``, ``os``, ``subprocess``, ``socket``, ``signal``,
  ``threading`` (and the like, :data:`DANGEROUS_MODULES`), dunder attributes (``__class__``,
  ``__globals__``, ...) and frame attributes (``tb_frame``, ``f_globals``, ...),
  ``getattr``/``setattr``/``delattr`` on modules or with a computed or dunder name;
* **file access**: ``open``, numpy's file functions (``np.load``, ``np.save``, ``np.loadtxt``,
  ``np.fromfile``, ``x.tofile``, ...);
* **tampering**: assigning to or deleting attributes of a module (``np.allclose = ...``), binding
  (at the top level, or through ``global``) a name of the locked cells that the tests use
  (``np``, ``helpers``, ``expect_close``, ``_GUARD``, ``_integrity``, test helpers), any use of
  ``_integrity`` or ``_GUARD``, private attributes of modules (``helpers._validation``),
  binding a builtin's name at the top level (``print = ...``), star imports.

Consequences (applied by :class:`PolicyCheck`, an nbgrader preprocessor placed before Execute):
a flagged cell is not executed; its code is replaced by ``raise PolicyViolation("line N: ...")``,
so every test depending on it fails and the feedback names the line. Flags of the *tamper*
kind (assigning to module attributes, ``setattr``/``delattr`` on them, rebinding a protected
name, star imports: changes to what the tests use) also fail every graded test cell after the
flagged cell, as the tamper guard did when such a cell ran. The instructor lifts flags
per student in ``policy_exceptions.toml`` in the course root (see :func:`load_exceptions`) or
with ``--PolicyCheck.lifted=student/assignment/cell``.

Near-copies of ``helpers``' reference implementations (same normalized AST: names, strings,
constants and docstrings stripped) are not zeroed but reported for review (:func:`near_copies`).

:func:`rules_text` gives the sentence each release notebook's *Rules* paragraph says, built from
the same table, so the students are told exactly what is checked.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import hashlib
import importlib.util
import os
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Bool, List, Unicode

__all__ = [
    "AssignmentPolicy",
    "Flag",
    "POLICIES",
    "PolicyCheck",
    "check_notebook",
    "check_source",
    "load_exceptions",
    "near_copies",
    "protected_names",
    "rules_text",
    "scan_notebook",
]

#: Modules every assignment may import (numpy and its public submodules are handled apart).
COMMON_IMPORTS = frozenset(
    {
        "numpy",
        "math",
        "cmath",
        "itertools",
        "functools",
        "collections",
        "collections.abc",
        "typing",
        "dataclasses",
        "warnings",
        "operator",
        "numbers",
        "copy",
        "fractions",
        "decimal",
        "statistics",
        "heapq",
        "bisect",
        "enum",
        "abc",
        "matplotlib",
        "matplotlib.pyplot",
    }
)

#: Modules whose import means reaching for the grader, the kernel or the machine (tamper flags).
DANGEROUS_MODULES = frozenset(
    {
        "sys", "builtins", "__builtin__", "importlib", "imp", "ctypes", "gc", "inspect", "os",
        "posix", "subprocess", "socket", "signal", "threading", "_thread", "multiprocessing",
        "concurrent", "asyncio", "types", "code", "codeop", "pickle", "marshal", "shelve",
        "shutil", "pathlib", "io", "tempfile", "atexit", "faulthandler", "traceback", "weakref",
        "resource", "pty", "select", "mmap", "runpy", "pkgutil", "site", "sysconfig", "trace",
        "tracemalloc", "bdb", "pdb", "dis", "IPython", "ipykernel", "jupyter_client", "zmq",
        "nbformat", "nbclient", "nbgrader", "optml_grading", "coursetools", "urllib", "http",
        "requests", "ssl", "glob", "fnmatch", "zipfile", "tarfile", "sqlite3", "unittest",
    }
)

#: numpy attributes that read or write files, or reach compiled-code and build machinery.
NUMPY_DENIED = frozenset(
    {
        "load", "save", "savez", "savez_compressed", "loadtxt", "savetxt", "genfromtxt",
        "fromfile", "fromregex", "memmap", "DataSource", "open_memmap", "ctypeslib", "f2py",
        "distutils", "core", "show_config", "show_runtime", "lookfor", "info", "source",
        "npyio", "format",
    }
)

#: Attribute names flagged on any object (file writes, frames, code and namespaces).
DENIED_ATTRIBUTES = frozenset(
    {
        "tofile", "dump", "tb_frame", "tb_next", "f_globals", "f_locals", "f_builtins", "f_back",
        "f_code", "f_trace", "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "co_code",
        "func_globals", "sys", "os", "builtins", "subprocess", "socket", "ctypes", "gc",
        "inspect", "importlib", "signal", "threading", "shutil", "pathlib", "pickle", "marshal",
        "modules", "IPython", "ipykernel", "get_ipython", "f2py", "ctypeslib", "distutils",
    }
)

#: Dunder attributes an honest solution may use (classes with ``super().__init__``, names).
ALLOWED_DUNDERS = frozenset({"__init__", "__name__", "__doc__", "__call__"})

#: Builtins that reach the grader or run text as code (flagged wherever the name appears).
DENIED_BUILTINS = {
    "exec": "exec runs text as code",
    "eval": "eval runs text as code",
    "compile": "compile makes code from text",
    "__import__": "__import__ imports modules by name",
    "globals": "globals() reaches the notebook's namespace",
    "locals": "locals() reaches the namespace",
    "vars": "vars() reaches an object's namespace",
    "breakpoint": "breakpoint() starts a debugger",
    "get_ipython": "get_ipython reaches the kernel that grades the notebook",
    "open": "open() accesses files",
    "exit": "exit() stops the kernel",
    "quit": "quit() stops the kernel",
    "__builtins__": "__builtins__ reaches the builtins",
    "__loader__": "__loader__ reaches the import machinery",
    "__spec__": "__spec__ reaches the import machinery",
}

#: Names the locked setup cell binds that are protected in every assignment.
ALWAYS_PROTECTED = frozenset({"np", "helpers", "_integrity", "_GUARD", "expect_close"})

#: Names only grader code may use (any use in a student cell is flagged).
GRADER_ONLY = frozenset({"_integrity", "_GUARD"})

#: IPython's history and output caches (they hold the code of the cell being run).
IPYTHON_HISTORY = frozenset({"In", "Out", "_ih", "_oh", "_dh", "_i", "_ii", "_iii", "__", "___"})


def _is_grader_name(name: str) -> bool:
    """Names of the grader's kernel-side machinery and IPython's history (``_i3``, ``_5``)."""
    if name in IPYTHON_HISTORY or name.startswith("_optml"):
        return True
    return len(name) > 1 and name[0] == "_" and (name[1:].isdigit() or (
        name[1] == "i" and name[2:].isdigit()))

#: ``helpers`` names every assignment allows: plotting, nothing that computes an answer.
HELPERS_PLOTTING = frozenset(
    {"plot_contours", "plot_convergence", "plot_gradients", "plot_surface", "plot_trajectory",
     "static_mode"}
)


@dataclass(frozen=True)
class AssignmentPolicy:
    """What one assignment allows in students' cells.

    Attributes
    ----------
    imports : frozenset of str
        Modules that may be imported (``numpy.*`` public submodules are always allowed).
    helpers : frozenset of str
        Names of ``helpers`` that may be used (attribute access or ``from helpers import``).
    task : str
        Why ``scipy.optimize`` is not allowed, as the Rules say it.
    """

    imports: frozenset = COMMON_IMPORTS
    helpers: frozenset = HELPERS_PLOTTING
    task: str = "the methods are the task"


#: The per-assignment table (the only place the policy is defined).
POLICIES: dict[str, AssignmentPolicy] = {
    "hw1_derivatives": AssignmentPolicy(task="derivatives are the task"),
    "hw2_taylor": AssignmentPolicy(),
    "hw3_gradient_descent": AssignmentPolicy(task="the method is the task"),
    "hw4_sgd": AssignmentPolicy(),
    "hw5_momentum_adaptive": AssignmentPolicy(),
    "hw6_newton": AssignmentPolicy(
        helpers=HELPERS_PLOTTING
        | {"rosenbrock", "exp_sum", "quadratic", "beale", "himmelblau", "saddle"}
    ),
    "hw7_constrained": AssignmentPolicy(),
}

#: The policy of an assignment missing from :data:`POLICIES` (the strictest one).
DEFAULT_POLICY = AssignmentPolicy()

TAMPER = "tamper"  # the cell is not run and every later graded cell fails
CELL = "cell"  # the cell is not run


@dataclass(frozen=True)
class Flag:
    """One policy violation in one cell.

    Attributes
    ----------
    line : int
        Line of the cell (1-based) where the construct is.
    message : str
        What is not allowed and why, for the student's feedback and the summary.
    kind : str
        ``"tamper"`` (later graded cells fail too) or ``"cell"`` (only this cell).
    """

    line: int
    message: str
    kind: str = CELL

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def policy_of(assignment: str) -> AssignmentPolicy:
    """The :class:`AssignmentPolicy` of ``assignment`` (the strict default if not in the table)."""
    if not isinstance(assignment, str):
        raise TypeError(f"assignment must be a str, not {type(assignment).__name__}")
    return POLICIES.get(assignment, DEFAULT_POLICY)


def rules_text(assignment: str, protected: Iterable[str] = ()) -> str:
    """The sentence of the release notebook's *Rules* that says what the policy check flags.

    Parameters
    ----------
    assignment : str
        Assignment name, e.g. ``"hw3_gradient_descent"``.
    protected : iterable of str, optional
        Extra locked names to list (test helpers); :func:`protected_names` of the source notebook
        gives them.

    Returns
    -------
    str
        One markdown paragraph.

    Examples
    --------
    >>> "scipy.optimize" in rules_text("hw3_gradient_descent")
    True
    """
    pol = policy_of(assignment)
    extra = sorted(set(protected) - ALWAYS_PROTECTED - GRADER_ONLY)
    helpers_names = sorted(pol.helpers - {"static_mode"})
    names = ", ".join(f"`{n}`" for n in ["np", "helpers", "expect_close", *extra])
    return (
        "**Not allowed in your cells** (the grader checks every cell you write; a cell that "
        "breaks one of these rules is not run and scores 0): imports other than `numpy`, `math` "
        "and harmless standard-library modules such as `functools` or `itertools`; from "
        "`helpers` only " + ", ".join(f"`{n}`" for n in helpers_names) + "; "
        "`exec`, `eval`, `compile`, `__import__`, `importlib`, `globals`, `vars`; `getattr` or "
        "`setattr` on modules or with a computed name, and `__dunder__` attributes; "
        "`get_ipython`, `sys`, `builtins`, `ctypes`, `gc`, `inspect`, `os`, `subprocess`, "
        "`socket`, `signal`, `threading`; opening, reading or writing files; `scipy.optimize` "
        f"({pol.task}); assigning to {names}, `_GUARD` or `_integrity`, to names of Python's "
        "builtins (`print`, `len`, ...), or to attributes of numpy, `math` or `helpers`."
    )


# ---------------------------------------------------------------------------------------------
# the checker


@functools.lru_cache(maxsize=8192)
def _parse(source: str) -> ast.Module:
    """``ast.parse``, cached: the trees are only read (near_copies works on copies)."""
    return ast.parse(source)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _chain(node: ast.Attribute) -> list[str]:
    """``np.testing.assert_allclose`` -> ["np", "testing", "assert_allclose"] (or empty)."""
    parts: list[str] = []
    cur: ast.AST = node
    while isinstance(cur, ast.Attribute):
        parts.append(cur.attr)
        cur = cur.value
    if not isinstance(cur, ast.Name):
        return []
    return [cur.id, *reversed(parts)]


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


class _Checker(ast.NodeVisitor):
    def __init__(self, policy: AssignmentPolicy, protected: frozenset, modules: dict[str, str]):
        self.policy = policy
        self.protected = protected
        self.modules = dict(modules)  # alias -> module name (setup imports and this cell's)
        self.setup_modules = dict(modules)
        self.flags: list[Flag] = []
        self.depth = 0  # > 0 inside a function, class, lambda or comprehension

    # -- helpers
    def flag(self, node: ast.AST, message: str, kind: str = CELL) -> None:
        self.flags.append(Flag(getattr(node, "lineno", 1), message, kind))

    def check_module(self, node: ast.AST, module: str, names: Iterable[str] = ()) -> None:
        root = module.split(".")[0]
        if module == "scipy.optimize" or module.startswith("scipy.optimize.") or (
            module == "scipy" and "optimize" in names
        ):
            self.flag(node, f"scipy.optimize is not allowed here ({self.policy.task})")
        elif root in DANGEROUS_MODULES or module in DANGEROUS_MODULES:
            self.flag(node, f"import of {module} is not allowed (it reaches the grader or the "
                      "machine)")
        elif root == "numpy":
            parts = set(module.split(".")[1:]) | set(names)
            bad = sorted(p for p in parts if p in NUMPY_DENIED or p.startswith("_"))
            if bad:
                self.flag(node, f"numpy's {', '.join(bad)} is not allowed (file access or "
                          "numpy internals)")
        elif root == "helpers":
            if module != "helpers":
                self.flag(node, f"import of {module} is not allowed (helpers' internals)")
            for name in names:
                if name not in self.policy.helpers:
                    self.flag(node, f"helpers.{name} is not allowed in this assignment")
        elif module not in self.policy.imports:
            self.flag(node, f"import of {module} is not allowed (allowed: numpy, math and "
                      "harmless standard-library modules)")

    def bind(self, node: ast.AST, name: str, how: str) -> None:
        """A name bound by ``node``; flag it if it is protected (top level or ``global``)."""
        if self.depth and not how.startswith("global "):
            return
        if name in self.protected:
            self.flag(node, f"{how} rebinds {name}, which the locked cells define and the tests "
                      "use", TAMPER)
        elif name in _BUILTIN_NAMES:
            self.flag(node, f"{how} rebinds the builtin {name} for the whole notebook")

    # -- imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_module(node, alias.name)
            bound = alias.asname or alias.name.split(".")[0]
            target = alias.name if alias.asname else alias.name.split(".")[0]
            if self.setup_modules.get(bound) != target:
                self.bind(node, bound, f"import {alias.name}")
            self.modules[bound] = target

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.flag(node, "relative imports are not allowed")
            return
        names = [a.name for a in node.names]
        if "*" in names:
            self.flag(node, f"from {node.module} import * rebinds names the tests use", TAMPER)
            names = [n for n in names if n != "*"]
        self.check_module(node, node.module or "", names)
        for alias in node.names:
            if alias.name == "*":
                continue
            bound = alias.asname or alias.name
            self.bind(node, bound, f"from {node.module} import {alias.name}")
            full = f"{node.module}.{alias.name}"
            if full in sys.modules or node.module == "numpy":
                self.modules[bound] = full

    # -- scopes
    def _scoped(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.bind(node, node.name, f"def {node.name}")
        for dec in node.decorator_list:
            self.visit(dec)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.depth += 1
        for stmt in node.body:
            self.visit(stmt)
        if node.returns is not None:
            self.visit(node.returns)
        for arg in [*node.args.args, *node.args.posonlyargs, *node.args.kwonlyargs]:
            if arg.annotation is not None:
                self.visit(arg.annotation)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind(node, node.name, f"class {node.name}")
        for item in [*node.bases, *node.keywords, *node.decorator_list]:
            self.visit(item)
        self.depth += 1
        for stmt in node.body:
            self.visit(stmt)
        self.depth -= 1

    visit_Lambda = _scoped
    visit_ListComp = _scoped
    visit_SetComp = _scoped
    visit_DictComp = _scoped
    visit_GeneratorExp = _scoped

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self.bind(node, name, f"global {name}")

    # -- bindings
    def visit_Name(self, node: ast.Name) -> None:
        if node.id in DENIED_BUILTINS:
            self.flag(node, f"{node.id} is not allowed ({DENIED_BUILTINS[node.id]})")
        elif node.id in GRADER_ONLY and isinstance(node.ctx, ast.Load):
            self.flag(node, f"{node.id} belongs to the grader; student code must not use it")
        elif _is_grader_name(node.id):
            self.flag(node, f"{node.id} is IPython's history or the grader's (it holds the code "
                      "being graded)")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.bind(node, node.id, "deleting" if isinstance(node.ctx, ast.Del) else
                      f"assigning to {node.id}")

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node, node.name, f"except ... as {node.name}")
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.bind(node, node.name, f"case ... as {node.name}")
        self.generic_visit(node)

    def _assigned(self, target: ast.AST, node: ast.AST, verb: str) -> None:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Attribute):
                root = _root_name(sub)
                if root in self.modules:
                    self.flag(node, f"{verb} an attribute of the module {root} "
                              f"({ast.unparse(sub)}) changes it for the tests", TAMPER)
                    return

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node, "assigning to")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assigned(node.target, node, "assigning to")
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target, node, "assigning to")
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._assigned(target, node, "deleting")
        self.generic_visit(node)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._assigned(node.target, node, "looping over")
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._assigned(node.optional_vars, node.context_expr, "binding")
        self.generic_visit(node)

    # -- attributes and calls
    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if _is_dunder(attr) and attr not in ALLOWED_DUNDERS:
            self.flag(node, f"the attribute {attr} is not allowed (it reaches Python's "
                      "internals)")
        elif attr in DENIED_ATTRIBUTES:
            self.flag(node, f"the attribute {attr} is not allowed (file access or the "
                      "interpreter's internals)")
        chain = _chain(node)
        if chain and chain[0] in self.modules and isinstance(node.ctx, ast.Load):
            self._module_chain(node, chain)
        self.generic_visit(node)

    def _module_chain(self, node: ast.Attribute, chain: list[str]) -> None:
        module = self.modules[chain[0]]
        first = chain[1]
        private = [p for p in chain[1:] if p.startswith("_") and not _is_dunder(p)]
        if private:
            self.flag(node, f"{'.'.join(chain)} uses a private part of {module.split('.')[0]}")
        elif module == "numpy" or module.startswith("numpy."):
            denied = [p for p in chain[1:] if p in NUMPY_DENIED]
            if denied:
                self.flag(node, f"{chain[0]}.{denied[0]} is not allowed (file access or numpy "
                          "internals)")
        elif module == "helpers":
            if first not in self.policy.helpers:
                self.flag(node, f"helpers.{first} is not allowed in this assignment")
        elif module == "scipy" and first == "optimize":
            self.flag(node, f"scipy.optimize is not allowed here ({self.policy.task})")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in {"getattr", "setattr", "delattr"}:
            self._attr_call(node, func.id)
            for arg in [*node.args, *node.keywords]:
                self.visit(arg)
            return
        self.generic_visit(node)

    def _attr_call(self, node: ast.Call, fname: str) -> None:
        if len(node.args) < 2:
            self.flag(node, f"{fname} without an attribute name is not allowed")
            return
        kind = CELL if fname == "getattr" else TAMPER
        obj, name = node.args[0], node.args[1]
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            self.flag(node, f"{fname} with a computed attribute name is not allowed", kind)
        elif _is_dunder(name.value) or name.value in DENIED_ATTRIBUTES:
            self.flag(node, f"{fname}(..., {name.value!r}) is not allowed", kind)
        elif _root_name(obj) in self.modules:
            self.flag(node, f"{fname} on the module {_root_name(obj)} is not allowed", kind)
        elif fname != "getattr" and _root_name(obj) in self.protected:
            self.flag(node, f"{fname} on {_root_name(obj)} changes what the tests use", TAMPER)

    def generic_visit(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name) and child.id in {"getattr", "setattr", "delattr"}:
                parent_call = isinstance(node, ast.Call) and node.func is child
                if not parent_call:
                    self.flag(child, f"{child.id} used as a value is not allowed")
            self.visit(child)


_BUILTIN_NAMES = frozenset(n for n in dir(builtins) if not n.startswith("_"))


def check_source(
    source: str,
    assignment: str,
    protected: Iterable[str] = ALWAYS_PROTECTED,
    modules: dict[str, str] | None = None,
) -> list[Flag]:
    """Policy flags of one cell's code.

    Parameters
    ----------
    source : str
        The cell's code (IPython magics and shell escapes are flagged: they reach the kernel).
    assignment : str
        Assignment name (selects the :class:`AssignmentPolicy`).
    protected : iterable of str, optional
        Names of the locked cells the tests use (:func:`protected_names`).
    modules : dict, optional
        ``alias -> module`` bound by the locked setup cell; default ``np``, ``helpers``, ``math``,
        ``_integrity``, ``plt`` and ``os``.

    Returns
    -------
    list of Flag
        Sorted by line; empty if the cell is allowed.

    Raises
    ------
    TypeError
        If ``source`` is not a str.

    Examples
    --------
    >>> [str(f) for f in check_source("np.allclose = lambda *a: True", "hw3_gradient_descent")]
    ['line 1: assigning to an attribute of the module np (np.allclose) changes it for the tests']
    >>> check_source("def f(x):\\n    return np.sum(x**2)", "hw3_gradient_descent")
    []
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, not {type(source).__name__}")
    policy = policy_of(assignment)
    magic = [i for i, ln in enumerate(source.splitlines(), 1) if ln.lstrip().startswith(("%", "!"))]
    if magic:
        return [Flag(magic[0], "IPython magics and shell commands (% and !) are not allowed")]
    try:
        tree = _parse(source)
    except SyntaxError:
        return []  # it fails when run, like any syntax error
    mods = dict(_SETUP_MODULES if modules is None else modules)
    checker = _Checker(policy, frozenset(protected) | ALWAYS_PROTECTED, mods)
    checker.visit(tree)
    seen, flags = set(), []
    for flag in sorted(checker.flags, key=lambda f: (f.line, f.message)):
        if (flag.line, flag.message) not in seen:
            seen.add((flag.line, flag.message))
            flags.append(flag)
    return flags


_SETUP_MODULES = {
    "np": "numpy",
    "helpers": "helpers",
    "math": "math",
    "_integrity": "optml_grading.integrity",
    "plt": "matplotlib.pyplot",
    "os": "os",
}


# ---------------------------------------------------------------------------------------------
# notebooks


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_student_cell(cell) -> bool:
    """Solution cells and unmarked cells (the student may have written them); not locked cells."""
    if cell.get("cell_type") != "code":
        return False
    meta = _meta(cell)
    if meta.get("solution"):
        return True
    return not (meta.get("locked") or meta.get("grade"))


def _cell_label(cell, index: int) -> str:
    return _meta(cell).get("grade_id") or f"cell-{index}"


def _top_level_bindings(source: str) -> tuple[set[str], dict[str, str]]:
    try:
        tree = _parse(source)
    except SyntaxError:
        return set(), {}
    names, modules = set(), {}
    for node in tree.body:
        stack = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, (ast.If, ast.Try, ast.With)):
                stack.extend(cur.body + getattr(cur, "orelse", []) + getattr(cur, "finalbody", [])
                             + [s for h in getattr(cur, "handlers", []) for s in h.body])
                continue
            if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(cur.name)
                continue
            if isinstance(cur, ast.Import):
                for a in cur.names:
                    bound = a.asname or a.name.split(".")[0]
                    names.add(bound)
                    modules[bound] = a.name if a.asname else a.name.split(".")[0]
                continue
            if isinstance(cur, ast.ImportFrom):
                for a in cur.names:
                    bound = a.asname or a.name
                    names.add(bound)
                    full = f"{cur.module}.{a.name}"
                    if full in _KNOWN_MODULES:
                        modules[bound] = full
                continue
            if isinstance(cur, (ast.Assign, ast.AnnAssign)):
                targets = cur.targets if isinstance(cur, ast.Assign) else [cur.target]
                for target in targets:
                    names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names, modules


_KNOWN_MODULES = frozenset(
    {"optml_grading.integrity", "optml_grading.checks", "matplotlib.pyplot", "numpy.linalg",
     "numpy.random", "numpy.testing"}
)


def protected_names(nb) -> tuple[frozenset, dict[str, str]]:
    """Names of the notebook's locked cells that its graded cells use, and the setup's modules.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook whose locked cells are the instructor's (the source notebook, or a
        submission after nbgrader's ``OverwriteCells``).

    Returns
    -------
    (frozenset of str, dict)
        The protected names (always including :data:`ALWAYS_PROTECTED`) and ``alias -> module``
        of every module a locked cell imports.
    """
    locked: set[str] = set()
    modules: dict[str, str] = {}
    used: set[str] = set()
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        meta = _meta(cell)
        if meta.get("grade"):
            try:
                used |= {n.id for n in ast.walk(_parse(cell.source)) if isinstance(n, ast.Name)}
            except SyntaxError:
                pass
        elif meta.get("locked") and not meta.get("solution"):
            names, mods = _top_level_bindings(cell.source)
            locked |= names
            modules.update(mods)
    return frozenset((locked & used) | ALWAYS_PROTECTED), modules


def check_notebook(nb, assignment: str, reference=None) -> dict[int, list[Flag]]:
    """Policy flags of every student cell of ``nb``: ``cell index -> flags`` (flagged cells only).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A submission (its locked cells are taken as the instructor's: run this after
        ``OverwriteCells``, or pass the source notebook's locked cells).
    assignment : str
        Assignment name.
    reference : nbformat.NotebookNode, optional
        The notebook whose locked cells define the protected names (default ``nb``): pass the
        source notebook when ``nb`` is a raw submission whose locked cells may be edited.

    Returns
    -------
    dict
        ``index -> list of Flag`` for the cells with at least one flag.
    """
    protected, modules = protected_names(nb if reference is None else reference)
    setup = {**_SETUP_MODULES, **modules}
    found = {}
    for index, cell in enumerate(nb.cells):
        if _is_student_cell(cell):
            flags = check_source(cell.source, assignment, protected, setup)
            if flags:
                found[index] = flags
    return found


# ---------------------------------------------------------------------------------------------
# exceptions granted by the instructor

EXCEPTIONS_FILE = "policy_exceptions.toml"


def load_exceptions(root: str | os.PathLike) -> dict[str, dict[str, list[str]]]:
    """The policy flags the instructor lifted: ``student -> assignment -> [cell, ...]``.

    The file ``<course root>/policy_exceptions.toml`` (optional) has one table per student::

        # alice may keep her scipy.optimize call in hw3's minimize cell
        [alice]
        hw3_gradient_descent = ["minimize"]   # grade_ids (or "cell-N"), or ["*"] for every cell

    Parameters
    ----------
    root : path
        The course root.

    Returns
    -------
    dict
        Empty if the file does not exist.

    Raises
    ------
    ValueError
        If the file is not valid TOML of that shape.
    """
    path = Path(root) / EXCEPTIONS_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML: {err}") from None
    out: dict[str, dict[str, list[str]]] = {}
    for student, table in data.items():
        if not isinstance(table, dict) or not all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in table.values()
        ):
            raise ValueError(
                f"{path}: [{student}] must map assignment names to lists of cell ids, e.g. "
                'hw3_gradient_descent = ["minimize"]'
            )
        out[str(student)] = {str(a): list(v) for a, v in table.items()}
    return out


def _lifted(exceptions: dict, student: str, assignment: str, label: str) -> bool:
    cells = exceptions.get(student, {}).get(assignment, [])
    return "*" in cells or label in cells


def _merge_lifted(exceptions: dict, lifted: Iterable[str]) -> dict:
    merged = {s: {a: list(c) for a, c in t.items()} for s, t in exceptions.items()}
    for item in lifted:
        parts = item.split("/")
        if len(parts) != 3:
            raise ValueError(
                f"PolicyCheck.lifted entries are student/assignment/cell, not {item!r}"
            )
        merged.setdefault(parts[0], {}).setdefault(parts[1], []).append(parts[2])
    return merged


# ---------------------------------------------------------------------------------------------
# near-copies of helpers' reference implementations


class _Normalizer(ast.NodeTransformer):
    """Names, strings, constants, docstrings and annotations stripped; structure kept."""

    def _strip_doc(self, body: list) -> list:
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]
        return body

    def visit_FunctionDef(self, node):
        node.body = self._strip_doc(node.body) or [ast.Pass()]
        node.name = "_"
        node.decorator_list = []
        node.returns = None
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arg(self, node):
        node.arg = "_"
        node.annotation = None
        return node

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id="_", ctx=ast.Load()), node)

    def visit_Attribute(self, node):
        self.generic_visit(node)
        node.attr = "_"
        node.ctx = ast.Load()
        return node

    def visit_Constant(self, node):
        return ast.copy_location(ast.Constant(value=0), node)

    def visit_keyword(self, node):
        node.arg = "_"
        self.generic_visit(node)
        return node

    def visit_Expr(self, node):  # docstrings and bare strings anywhere
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        self.generic_visit(node)
        return node

    def visit_JoinedStr(self, node):
        return ast.copy_location(ast.Constant(value=0), node)

    def visit_Raise(self, node):  # messages and exception types vary between copies
        return ast.copy_location(ast.Raise(exc=None, cause=None), node)


def _fingerprint(func: ast.FunctionDef) -> tuple[str, int]:
    norm = _Normalizer().visit(copy.deepcopy(func))
    dumped = ast.dump(norm, annotate_fields=False)
    size = sum(1 for _ in ast.walk(norm))
    return hashlib.sha256(dumped.encode()).hexdigest(), size


#: Functions smaller than this (AST nodes after normalization) are too generic to compare.
MIN_COPY_SIZE = 40


@functools.lru_cache(maxsize=1)
def reference_fingerprints() -> dict[str, str]:
    """``fingerprint -> "helpers.module.function"`` for every function in the helpers package."""
    spec = importlib.util.find_spec("helpers")
    found: dict[str, str] = {}
    if spec is None or not spec.origin:
        return found
    base = Path(spec.origin).parent
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(base.parent).with_suffix("")
        module = ".".join(rel.parts)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                digest, size = _fingerprint(node)
                if size >= MIN_COPY_SIZE:
                    found.setdefault(digest, f"{module}.{node.name}")
    return found


def near_copies(source: str) -> list[tuple[int, str, str]]:
    """Functions of ``source`` that are a renamed copy of a helpers function.

    Two functions match when their ASTs are equal after every name, attribute, argument,
    string, constant, docstring, annotation and exception message is stripped: a pasted
    reference implementation with other variable names, other messages and other constants is
    still found; a function written independently almost never has the same structure.

    Parameters
    ----------
    source : str
        A cell's code.

    Returns
    -------
    list of (int, str, str)
        ``(line, function name, "helpers.module.function")`` per match (for review, not a flag).
    """
    try:
        tree = _parse(source)
    except SyntaxError:
        return []
    refs = reference_fingerprints()
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            digest, size = _fingerprint(node)
            if size >= MIN_COPY_SIZE and digest in refs:
                hits.append((node.lineno, node.name, refs[digest]))
    return hits


# ---------------------------------------------------------------------------------------------
# pre-scan and the nbgrader preprocessor


def scan_notebook(
    nb, assignment: str, student: str = "", exceptions: dict | None = None, reference=None
) -> list[str]:
    """One line per policy flag and near-copy of a submission, for the grading summary.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The submission. Its locked cells are used for the protected names: pass a notebook
        whose locked cells are the instructor's, or accept that a student who edited a locked
        cell changes only which names are reported here (the grader itself uses the restored
        cells).
    assignment, student : str
        Names, for the policy table and the exceptions.
    exceptions : dict, optional
        What :func:`load_exceptions` returned.
    reference : nbformat.NotebookNode, optional
        The source notebook (its locked cells define the protected names).

    Returns
    -------
    list of str
        E.g. ``"policy: minimize line 3: scipy.optimize is not allowed here (...) (scores 0)"``
        and ``"review: minimize line 1 looks like a copy of helpers.optim.driver.run"``.
    """
    notes = []
    exceptions = exceptions or {}
    for index, flags in check_notebook(nb, assignment, reference).items():
        label = _cell_label(nb.cells[index], index)
        lifted = _lifted(exceptions, student, assignment, label)
        for flag in flags:
            tail = "lifted by the instructor" if lifted else (
                "not run; later tests fail too" if flag.kind == TAMPER else "not run, scores 0")
            notes.append(f"policy: {label} {flag} ({tail})")
    for index, cell in enumerate(nb.cells):
        if _is_student_cell(cell):
            for line, name, ref in near_copies(cell.source):
                notes.append(f"review: {_cell_label(cell, index)} line {line}: {name} looks "
                             f"like a copy of {ref}")
    return notes


def _violation_code(label: str, flags: list[Flag]) -> str:
    shown = "; ".join(str(f) for f in flags[:3]) + (
        f"; and {len(flags) - 3} more" if len(flags) > 3 else "")
    message = (f"the grader did not run this cell ({label}): {shown}. See the Rules at the top "
               "of the notebook.")
    return ("class PolicyViolation(Exception):\n"
            '    """A cell uses a construct this homework does not allow."""\n\n\n'
            f"raise PolicyViolation({message!r})\n")


class PolicyCheck(NbGraderPreprocessor):
    """nbgrader preprocessor: replace flagged student cells by ``raise PolicyViolation``.

    Place it after ``OverwriteCells`` (so the locked cells are the instructor's) and before
    ``Execute``. A flagged cell's code becomes ``raise PolicyViolation("line N: ...")``; for
    flags of the tamper kind, every later graded cell gets the metadata
    ``optml_policy_blocked`` and :class:`coursetools.classroom_execute.ResilientExecute`
    fails it without running it. Flags lifted in ``policy_exceptions.toml`` (or
    ``lifted``) leave the cell alone. Every flag is logged as a warning.
    """

    enabled = Bool(True, help="run the policy check").tag(config=True)
    lifted = List(
        Unicode(), default_value=[],
        help="flags lifted by the instructor, as student/assignment/cell ('*' = every cell)",
    ).tag(config=True)
    course_root = Unicode(
        "", help="course root holding policy_exceptions.toml (default: current directory)"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        if not self.enabled:
            return nb, resources
        info = resources.get("nbgrader", {})
        assignment = str(info.get("assignment", ""))
        student = str(info.get("student", ""))
        root = self.course_root or os.getcwd()
        exceptions = _merge_lifted(load_exceptions(root), self.lifted)
        flagged = check_notebook(nb, assignment)
        blocked_from = None
        for index, flags in sorted(flagged.items()):
            cell = nb.cells[index]
            label = _cell_label(cell, index)
            if _lifted(exceptions, student, assignment, label):
                self.log.warning("policy: %s %s: lifted for %s", label,
                                 "; ".join(map(str, flags)), student)
                continue
            self.log.warning("policy: %s/%s %s: %s", student, assignment, label,
                             "; ".join(map(str, flags)))
            cell.source = _violation_code(label, flags)
            if blocked_from is None and any(f.kind == TAMPER for f in flags):
                blocked_from = (index, label, flags[0])
        if blocked_from is not None:
            index, label, flag = blocked_from
            for cell in nb.cells[index + 1:]:
                if _meta(cell).get("grade") and cell.cell_type == "code":
                    cell.metadata["optml_policy_blocked"] = (
                        f"the cell {label} tampers with what the tests use ({flag}); "
                        "the grader failed every test cell after it"
                    )
        return nb, resources

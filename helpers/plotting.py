"""Plots of 2-D objectives and of optimizer runs.

Five functions, each drawing into an optional matplotlib ``ax`` and returning what it drew:

- ``plot_contours``: level sets of ``f`` (lines or filled, optionally log-spaced);
  returns the ``QuadContourSet``.
- ``plot_gradients``: contours plus a quiver of ``grad f`` (or ``-grad f``); returns the
  ``Quiver``.
- ``plot_trajectory``: an iterate path with start and end markers; returns 3 ``Line2D``.
- ``plot_surface``: the graph of ``f`` in 3-D; returns the ``Poly3DCollection``.
- ``plot_convergence``: ``f - f*``, ``||grad f||`` or ``||x - x*||`` per method on a log
  axis; returns one ``Line2D`` per method.

Objectives are evaluated on the whole grid in **one** vectorized call ``f(XY)`` with ``XY`` of
shape ``(ny, nx, 2)``; the course's :class:`helpers.Problem` objects (and any ``f`` written with
``x[..., 0]``, ``x[..., 1]``) work directly. Wherever ``f`` is accepted, a ``Problem`` may be
passed instead: its plotting window (``xlim``, ``ylim``), its ``log_levels`` flag and its known
minimizers are then used unless given explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .accessibility import LINESTYLES, MARKERS

__all__ = [
    "plot_contours",
    "plot_convergence",
    "plot_gradients",
    "plot_surface",
    "plot_trajectory",
]

DEFAULT_WINDOW = (-2.0, 2.0)
"""Plotting window used for plain callables when no ``xlim``/``ylim`` is given."""

_MINIMIZER_STYLE = dict(
    linestyle="none", marker="*", markersize=14, color="gold",
    markeredgecolor="black", markeredgewidth=0.8, zorder=5,
)


# --------------------------------------------------------------------------------------------
# small internal helpers
# --------------------------------------------------------------------------------------------
def _plt():
    import matplotlib.pyplot as plt

    return plt


def _is_problem(f) -> bool:
    """Duck-typed test for a :class:`helpers.Problem` (has ``f``, ``xlim`` and ``ylim``)."""
    return callable(getattr(f, "f", None)) and hasattr(f, "xlim") and hasattr(f, "ylim")


def _objective(f):
    """Return the plain callable behind ``f`` (a Problem or a function)."""
    if _is_problem(f):
        if getattr(f, "n", 2) != 2:
            raise ValueError(f"can only plot 2-D problems, got a problem with n = {f.n}")
        return f.f
    if not callable(f):
        raise TypeError(
            f"f must be a callable taking (..., 2) arrays or a helpers.Problem, "
            f"got {type(f).__name__}"
        )
    return f


def _window(lim, f, attr: str) -> tuple[float, float]:
    """Resolve an axis window: explicit value, else the Problem's, else DEFAULT_WINDOW."""
    if lim is None:
        lim = getattr(f, attr, None) if _is_problem(f) else None
    if lim is None:
        lim = DEFAULT_WINDOW
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{attr} must be a pair (low, high) of numbers, got {lim!r}") from err
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{attr} must satisfy low < high with finite values, got {lim!r}")
    return lo, hi


def _grid(xlim, ylim, nx: int, ny: int | None = None):
    """Return ``X, Y`` of shape ``(ny, nx)`` and the stacked points ``XY`` of shape (ny, nx, 2)."""
    ny = nx if ny is None else ny
    if int(nx) < 2 or int(ny) < 2:
        raise ValueError(f"grid resolution must be at least 2 points per axis, got {nx} x {ny}")
    X, Y = np.meshgrid(np.linspace(*xlim, int(nx)), np.linspace(*ylim, int(ny)))
    return X, Y, np.stack([X, Y], axis=-1)


def _evaluate(func, XY: np.ndarray, *, out_shape: tuple[int, ...], what: str) -> np.ndarray:
    """Evaluate ``func(XY)`` in one vectorized call and check the shape of the result."""
    try:
        values = func(XY)
    except (TypeError, ValueError, IndexError) as err:
        raise TypeError(
            f"{what} must be vectorized: it is called once with an array of shape "
            f"{XY.shape} (points along the last axis, e.g. x[..., 0], x[..., 1]) and failed "
            f"with {type(err).__name__}: {err}"
        ) from err
    values = np.asarray(values, dtype=float)
    if values.shape != out_shape:
        raise TypeError(
            f"{what} must be vectorized: called with an array of shape {XY.shape} it should "
            f"return shape {out_shape}, but returned shape {values.shape}. Write it with "
            f"x[..., 0], x[..., 1] instead of x[0], x[1]."
        )
    return values


def _new_axes(ax, **subplot_kw):
    if ax is None:
        _, ax = _plt().subplots(subplot_kw=subplot_kw or None)
    return ax


def _log_levels(Z: np.ndarray, n: int) -> np.ndarray:
    """``n`` log-spaced contour levels for a valley function.

    The values are shifted by the grid minimum (so negative ``f`` is fine) and the levels run
    geometrically from the 0.1 % quantile of ``f - min f`` (floored at ``1e-7`` of the range) up
    to the grid maximum, then shifted back.
    """
    finite = Z[np.isfinite(Z)]
    zmin, zmax = finite.min(), finite.max()
    span = zmax - zmin
    shifted = finite - zmin
    positive = shifted[shifted > 0]
    low = max(np.quantile(positive, 0.001), span * 1e-7)
    return zmin + np.geomspace(low, span, n)


def _split_minimizers(f):
    """Known minimizers of a Problem as (global, local) arrays of shape (k, 2).

    A minimizer counts as global when its value ties with the first one (the Problem lists
    the global minimizer first), e.g. all four minima of Himmelblau's function.
    """
    mins = getattr(f, "minimizers", None)
    mins = np.empty((0, 2)) if mins is None else np.asarray(mins, dtype=float).reshape(-1, 2)
    if mins.shape[0] <= 1:
        return mins, mins[:0]
    values = np.asarray(f.f(mins), dtype=float)
    tie = np.isclose(values, values[0], rtol=1e-6, atol=1e-9)
    return mins[tie], mins[~tie]


def _mark_minimizers(ax, f, xlim, ylim):
    """Mark the Problem's minimizers inside the window; return the drawn Line2D objects.

    Global minimizers get a large gold star (gid "minimizers"), other local minimizers a
    small white star (gid "local_minimizers").
    """
    global_, local = _split_minimizers(f)
    drawn = []
    for pts, gid, size, color in ((global_, "minimizers", 14, "gold"),
                                  (local, "local_minimizers", 9, "white")):
        inside = ((pts[:, 0] >= xlim[0]) & (pts[:, 0] <= xlim[1])
                  & (pts[:, 1] >= ylim[0]) & (pts[:, 1] <= ylim[1]))
        if inside.any():
            style = dict(_MINIMIZER_STYLE, markersize=size, color=color)
            (line,) = ax.plot(pts[inside, 0], pts[inside, 1], label="_" + gid, **style)
            line.set_gid(gid)
            drawn.append(line)
    return drawn


def _as_path(xs, name: str = "xs") -> np.ndarray:
    """Accept a ``(k, 2)`` array or an object with an ``xs`` attribute (a Trace)."""
    if hasattr(xs, "xs"):
        xs = xs.xs
    arr = np.asarray(xs, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 1:
        raise ValueError(
            f"{name} must be a (k, 2) array of 2-D iterates (or a Trace with .xs), "
            f"got shape {arr.shape}"
        )
    return arr


# --------------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------------
def plot_contours(
    f,
    ax=None,
    xlim=None,
    ylim=None,
    levels=20,
    log_levels=None,
    filled=False,
    *,
    resolution=200,
    cmap="viridis",
    colorbar=False,
    clabel=False,
    mark_minimizers=None,
    aspect="equal",
    **contour_kwargs,
):
    """Contour plot of a function of two variables.

    Parameters
    ----------
    f : callable or Problem
        Objective taking arrays of shape ``(..., 2)`` and returning ``(...)``. It is evaluated
        once on the whole grid (shape ``(ny, nx, 2)``). A :class:`helpers.Problem` supplies its
        own window, ``log_levels`` flag and minimizers.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created when omitted.
    xlim, ylim : (float, float), optional
        Window. Default: the Problem's window, else ``(-2, 2)``.
    levels : int or array_like, default 20
        Number of levels, or the levels themselves (then ``log_levels`` is ignored).
    log_levels : bool, optional
        Log-spaced levels for valley functions such as Rosenbrock (see Notes). Default: the
        Problem's ``log_levels`` attribute, else False.
    filled : bool, default False
        Draw filled contours (``contourf``) instead of lines.
    resolution : int, default 200
        Grid points per axis.
    cmap : str or Colormap, default "viridis"
        Perceptually uniform colormap.
    colorbar : bool, default False
        Add a colorbar.
    clabel : bool, default False
        Label the contour lines with their values (line contours only).
    mark_minimizers : bool, optional
        Mark the known minimizers inside the window: a gold star for global ones, a small
        white star for other local minimizers. Default: True for Problems.
    aspect : {"equal", "auto"} or None, default "equal"
        Axes aspect; equal keeps gradients visibly orthogonal to level sets. ``None`` leaves it.
    **contour_kwargs
        Passed to ``ax.contour`` / ``ax.contourf`` (e.g. ``linewidths``, ``alpha``, or
        ``colors="0.5"`` for single-color lines, which replaces ``cmap``).

    Returns
    -------
    matplotlib.contour.QuadContourSet
        The contour set (its ``levels`` attribute holds the levels used). The other artists
        drawn hang on it: ``cs.label_texts`` (the ``clabel`` texts, ``[]`` without labels),
        ``cs.colorbar`` (the Colorbar, or None) and ``cs.minimizer_markers`` (the star
        markers, ``[]`` when none were drawn).

    Raises
    ------
    TypeError
        If ``f`` is not callable or not vectorized over the leading axes.
    ValueError
        If the window is invalid or ``f`` is constant / non-finite on it.

    Notes
    -----
    With ``log_levels`` the grid values are shifted by their minimum ``m``; the levels are
    ``m + geomspace(lo, max f - m, levels)`` where ``lo`` is the 0.1 % quantile of ``f - m``
    (at least ``1e-7 (max f - m)``). This resolves the floor of a narrow valley as well as its
    steep walls, and works for objectives with negative values. Colors are assigned evenly
    per level (a ``BoundaryNorm``), so every level gets a distinct color.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> cs = plot_contours(lambda x: x[..., 0] ** 2 + 4 * x[..., 1] ** 2, levels=10)
    >>> len(cs.levels) > 3
    True
    >>> plt.close("all")
    """
    func = _objective(f)
    xlim = _window(xlim, f, "xlim")
    ylim = _window(ylim, f, "ylim")
    if log_levels is None:
        log_levels = bool(getattr(f, "log_levels", False)) if _is_problem(f) else False
    if mark_minimizers is None:
        mark_minimizers = _is_problem(f)

    X, Y, XY = _grid(xlim, ylim, resolution)
    Z = _evaluate(func, XY, out_shape=X.shape, what="f")
    finite = np.isfinite(Z)
    if not finite.any():
        raise ValueError("f is not finite anywhere on the plotting window")
    if np.nanmax(Z[finite]) == np.nanmin(Z[finite]):
        raise ValueError("f is constant on the plotting window: nothing to contour")

    ax = _new_axes(ax)
    kwargs = dict(cmap=cmap)
    if np.ndim(levels) == 0:
        n = int(levels)
        if n < 1:
            raise ValueError(f"levels must be a positive int or an array of levels, got {levels}")
        if log_levels:
            levels = _log_levels(Z, n)
    else:
        levels = np.sort(np.asarray(levels, dtype=float))
    if np.ndim(levels) == 1:
        from matplotlib.colors import BoundaryNorm

        cm = _plt().get_cmap(cmap)
        kwargs["norm"] = BoundaryNorm(levels, ncolors=cm.N, extend="both" if filled else "neither")
        if filled:
            kwargs["extend"] = "both"
    if contour_kwargs.get("colors") is not None:  # fixed colors replace the colormap
        kwargs.pop("cmap")
        kwargs.pop("norm", None)
    kwargs.update(contour_kwargs)
    Zm = np.ma.masked_invalid(Z)
    draw = ax.contourf if filled else ax.contour
    cs = draw(X, Y, Zm, levels=levels, **kwargs)
    cs.label_texts, cs.minimizer_markers = [], []
    if clabel and not filled:
        cs.label_texts = list(ax.clabel(cs, inline=True, fontsize=8, fmt="%.3g"))
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, shrink=0.85, format="%.3g")  # sets cs.colorbar
    if mark_minimizers and _is_problem(f):
        cs.minimizer_markers = _mark_minimizers(ax, f, xlim, ylim)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if aspect is not None:
        ax.set_aspect(aspect, adjustable="box")
    return cs


def plot_gradients(
    f,
    grad_f=None,
    ax=None,
    xlim=None,
    ylim=None,
    density=15,
    normalize=False,
    descent=False,
    *,
    contours=True,
    levels=20,
    log_levels=None,
    color="0.15",
    **quiver_kwargs,
):
    """Contours of ``f`` with the gradient field drawn as arrows.

    Parameters
    ----------
    f : callable or Problem
        Objective (see :func:`plot_contours`); only used for the background contours and the
        window.
    grad_f : callable, optional
        Gradient taking ``(..., 2)`` and returning ``(..., 2)``, evaluated once on a
        ``density x density`` grid. Default: ``f.grad`` when ``f`` is a Problem.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created when omitted.
    xlim, ylim : (float, float), optional
        Window (default as in :func:`plot_contours`).
    density : int, default 15
        Arrows along the longer side of the window; the shorter side gets proportionally
        fewer, so the arrows sit on a square grid.
    normalize : bool, default False
        Show directions only (all arrows the same length).
    descent : bool, default False
        Draw ``-grad f`` (the steepest-descent directions) instead of ``grad f``.
    contours : bool, default True
        Draw the contours of ``f`` underneath (with ``levels``, ``log_levels``).
    levels, log_levels
        Passed to :func:`plot_contours`.
    color : color, default "0.15"
        Arrow color.
    **quiver_kwargs
        Passed to ``ax.quiver``.

    Returns
    -------
    matplotlib.quiver.Quiver
        The arrows; ``q.U``, ``q.V`` hold the drawn (possibly negated / normalized) components
        and ``q.contour_set`` the contours drawn underneath (the return value of
        :func:`plot_contours`, with its labels and markers; None with ``contours=False``).

    Notes
    -----
    Arrows are drawn in data units (``angles="xy"``, ``scale_units="xy"``) so that, with the
    equal aspect of :func:`plot_contours`, they are visibly orthogonal to the level sets.
    The longest arrow is 0.9 grid spacings long; with ``normalize=True`` all arrows are
    0.75 spacings long. Zero gradients stay zero (no division by zero).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> f = lambda x: x[..., 0] ** 2 + x[..., 1] ** 2
    >>> q = plot_gradients(f, lambda x: 2 * x, descent=True, density=5)
    >>> q.U.shape
    (25,)
    >>> plt.close("all")
    """
    if grad_f is None:
        if not _is_problem(f):
            raise TypeError("grad_f is required unless f is a helpers.Problem (with .grad)")
        grad_f = f.grad
    if not callable(grad_f):
        raise TypeError(f"grad_f must be callable, got {type(grad_f).__name__}")
    xlim = _window(xlim, f, "xlim")
    ylim = _window(ylim, f, "ylim")
    if int(density) < 2:
        raise ValueError(f"density must be an int >= 2, got {density}")

    ax = _new_axes(ax)
    cs = None
    if contours:
        cs = plot_contours(f, ax=ax, xlim=xlim, ylim=ylim, levels=levels, log_levels=log_levels)
    xr, yr = xlim[1] - xlim[0], ylim[1] - ylim[0]
    n_long = int(density)
    n_short = max(2, int(round((n_long - 1) * min(xr, yr) / max(xr, yr))) + 1)
    nx, ny = (n_long, n_short) if xr >= yr else (n_short, n_long)
    X, Y, XY = _grid(xlim, ylim, nx, ny)
    G = _evaluate(grad_f, XY, out_shape=X.shape + (2,), what="grad_f")
    if descent:
        G = -G
    G = np.where(np.isfinite(G), G, 0.0)
    norms = np.linalg.norm(G, axis=-1)
    spacing = min(xr / (nx - 1), yr / (ny - 1))
    if normalize:
        G = np.divide(G, norms[..., None], out=np.zeros_like(G), where=norms[..., None] > 0)
        scale = 1.0 / (0.75 * spacing)
    else:
        longest = norms.max()
        scale = longest / (0.9 * spacing) if longest > 0 else 1.0
    kwargs = dict(angles="xy", scale_units="xy", scale=scale, color=color, width=0.004,
                  zorder=3)
    kwargs.update(quiver_kwargs)
    q = ax.quiver(X, Y, G[..., 0], G[..., 1], **kwargs)
    q.contour_set = cs
    if not contours:
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_aspect("equal", adjustable="box")
    return q


def plot_trajectory(
    xs,
    ax=None,
    label=None,
    *,
    start_marker="o",
    end_marker="s",
    max_markers=100,
    keep_limits=None,
    **line_kwargs,
):
    """Draw an optimizer's path ``x_0, x_1, ..., x_k`` with start and end markers.

    Parameters
    ----------
    xs : array_like of shape (k, 2) or Trace
        Iterates, or any object with an ``xs`` attribute (e.g. the optimizers' Trace).
        Rows that are not finite (a diverged run) are dropped.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (typically one holding :func:`plot_contours`).
    label : str, optional
        Legend label for the path.
    start_marker, end_marker : str, default "o", "s"
        Markers for ``x_0`` (hollow) and the last iterate (filled).
    max_markers : int, default 100
        At most about this many iterates get a dot (``markevery``); the line uses all of them.
    keep_limits : bool, optional
        True: keep the axes' current limits (a path leaving the window is clipped). False:
        rescale the axes to show the whole path. Default: matplotlib's autoscaling decides;
        axes set up by :func:`plot_contours` have fixed limits (the window), fresh axes grow
        to fit every path drawn into them.
    **line_kwargs
        Passed to ``ax.plot`` for the path (``color``, ``marker``, ``linestyle``,
        ``linewidth``...).

    Returns
    -------
    list of matplotlib.lines.Line2D
        ``[path, start, end]``; all three share the path's color and only ``path`` carries
        the label.

    Notes
    -----
    Paths drawn into the same axes differ by more than colour, so a comparison reads without
    colour vision: the ``i``-th path on an axes takes the ``i``-th line style and marker of
    :data:`helpers.accessibility.LINESTYLES` / ``MARKERS`` (solid with dots, dashed with
    squares, dash-dotted with triangles, ...), and its colour from the colour cycle (the
    colour-blind-safe :data:`helpers.PALETTE`). Explicit ``linestyle``/``marker`` win.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> lines = plot_trajectory([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]], label="GD")
    >>> len(lines), lines[0].get_label()
    (3, 'GD')
    >>> plt.close("all")
    """
    path = _as_path(xs)
    path = path[np.all(np.isfinite(path), axis=1)]
    if path.shape[0] == 0:
        raise ValueError("xs contains no finite iterate to draw")
    new_axes = ax is None
    ax = _new_axes(ax)
    limits = (ax.get_xlim(), ax.get_ylim())

    k = sum(1 for ln in ax.get_lines() if ln.get_gid() == "trajectory") % len(LINESTYLES)
    style = dict(marker=MARKERS[k], linestyle=LINESTYLES[k], markersize=3.5, linewidth=1.6,
                 zorder=4,
                 markevery=max(1, int(np.ceil(path.shape[0] / max(1, int(max_markers))))))
    if "ls" in line_kwargs:
        style.pop("linestyle")
    style.update(line_kwargs)
    (line,) = ax.plot(path[:, 0], path[:, 1], label=label if label is not None else "_path",
                      **style)
    line.set_gid("trajectory")
    color = line.get_color()
    (start,) = ax.plot(path[0, 0], path[0, 1], linestyle="none", marker=start_marker,
                       markersize=9, color=color, markerfacecolor="white", markeredgecolor=color,
                       markeredgewidth=2, zorder=6, label="_start")
    (end,) = ax.plot(path[-1, 0], path[-1, 1], linestyle="none", marker=end_marker,
                     markersize=7, color=color, markeredgecolor="black", markeredgewidth=0.8,
                     zorder=6, label="_end")
    if keep_limits is True:
        ax.set_xlim(limits[0])
        ax.set_ylim(limits[1])
    elif keep_limits is False:
        ax.set_autoscale_on(True)
        ax.relim()
        ax.autoscale_view()
    if new_axes:
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_aspect("equal", adjustable="datalim")
    return [line, start, end]


def plot_surface(
    f,
    ax=None,
    xlim=None,
    ylim=None,
    *,
    resolution=80,
    cmap="viridis",
    alpha=0.9,
    elev=30.0,
    azim=-60.0,
    zlim=None,
    mark_minimizers=None,
    **surface_kwargs,
):
    """3-D surface plot of the graph of ``f`` over a window.

    Parameters
    ----------
    f : callable or Problem
        Objective (see :func:`plot_contours`), evaluated in one call on the grid.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D, optional
        A 3-D axes (``projection="3d"``); created when omitted.
    xlim, ylim : (float, float), optional
        Window (default as in :func:`plot_contours`).
    resolution : int, default 80
        Grid points per axis.
    cmap : str or Colormap, default "viridis"
        Colormap for the height.
    alpha : float, default 0.9
        Surface opacity.
    elev, azim : float, default 30, -60
        Viewing angles (degrees).
    zlim : (float, float), optional
        Clip the surface heights to this range (a flat cap instead of steep walls), useful
        for steep functions; also sets the z axis limits.
    mark_minimizers : bool, optional
        Mark the global minimizers with a star (Problems only; default True for Problems).
    **surface_kwargs
        Passed to ``ax.plot_surface``.

    Returns
    -------
    mpl_toolkits.mplot3d.art3d.Poly3DCollection
        The surface; ``surf.minimizer_markers`` holds the star marker (``[]`` if none).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> surf = plot_surface(lambda x: x[..., 0] ** 2 - x[..., 1] ** 2, resolution=20)
    >>> surf.axes.name
    '3d'
    >>> plt.close("all")
    """
    func = _objective(f)
    xlim = _window(xlim, f, "xlim")
    ylim = _window(ylim, f, "ylim")
    if mark_minimizers is None:
        mark_minimizers = _is_problem(f)
    if ax is None:
        ax = _new_axes(None, projection="3d")
    elif getattr(ax, "name", None) != "3d":
        raise ValueError(
            "plot_surface needs a 3-D axes: create it with "
            "fig.add_subplot(projection='3d'), got a "
            f"{getattr(ax, 'name', type(ax).__name__)!r} axes"
        )
    X, Y, XY = _grid(xlim, ylim, resolution)
    Z = _evaluate(func, XY, out_shape=X.shape, what="f")
    if zlim is not None:
        zlo, zhi = (float(v) for v in zlim)
        Z = np.clip(Z, zlo, zhi)
    kwargs = dict(cmap=cmap, alpha=alpha, linewidth=0, antialiased=True, rstride=1, cstride=1)
    kwargs.update(surface_kwargs)
    surf = ax.plot_surface(X, Y, Z, **kwargs)
    surf.minimizer_markers = []
    if mark_minimizers and _is_problem(f):
        mins = _split_minimizers(f)[0]
        if mins.size:
            fm = np.asarray(func(mins), dtype=float).reshape(-1)
            (star,) = ax.plot(mins[:, 0], mins[:, 1], fm, label="_minimizers",
                              **_MINIMIZER_STYLE)
            star.set_gid("minimizers")
            surf.minimizer_markers = [star]
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    if zlim is not None:
        ax.set_zlim(zlim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_zlabel("$f(x)$")
    ax.view_init(elev=elev, azim=azim)
    return surf


_CONVERGENCE_KINDS = {
    "f": "$f(x_t)$",
    "grad_norm": r"$\|\nabla f(x_t)\|$",
    "dist": r"$\|x_t - x^\star\|$",
}


def _convergence_series(item, kind, x_star, f_star, name):
    """Turn a Trace or an array into the 1-D series to plot."""
    if kind == "f":
        values = getattr(item, "fs", item)
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array of f values, got shape {values.shape}")
        return values - f_star if f_star is not None else values
    if kind == "grad_norm":
        values = np.asarray(getattr(item, "grad_norms", item), dtype=float)
        if values.ndim != 1:
            raise ValueError(
                f"{name}: expected a 1-D array of gradient norms, got shape {values.shape}"
            )
        return values
    # kind == "dist"
    values = np.asarray(getattr(item, "xs", item), dtype=float)
    if values.ndim == 1 and not hasattr(item, "xs"):
        return values  # already distances
    if x_star is None:
        raise ValueError("kind='dist' needs x_star (the minimizer) to measure ||x_t - x_star||")
    xs_ = np.asarray(x_star, dtype=float)
    if values.ndim != 2 or values.shape[1] != xs_.size:
        raise ValueError(
            f"{name}: expected iterates of shape (k, {xs_.size}) for kind='dist', "
            f"got shape {values.shape}"
        )
    return np.linalg.norm(values - xs_.reshape(1, -1), axis=1)


class _Lines(list):
    """A list of lines that also carries the legend drawn with them (``lines.legend``)."""

    legend = None


def plot_convergence(
    traces_or_arrays,
    ax=None,
    kind="f",
    log=True,
    labels=None,
    x_star=None,
    f_star=None,
    minor_ticks=False,
    **line_kwargs,
):
    """Loss, gradient norm or distance to the optimum against the iteration, several methods.

    Parameters
    ----------
    traces_or_arrays : dict, list, Trace or array
        ``{label: Trace or array}`` or a list of them (a single one is accepted too). A Trace
        contributes ``fs`` (kind "f"), ``grad_norms`` ("grad_norm") or ``xs`` ("dist"). A 1-D
        array is plotted as the requested quantity itself (for "f", ``f_star`` is still
        subtracted); for "dist" a ``(k, n)`` array is read as iterates.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created when omitted.
    kind : {"f", "grad_norm", "dist"}, default "f"
        ``f(x_t)`` (minus ``f_star`` if given), ``||grad f(x_t)||`` or ``||x_t - x_star||``.
    log : bool, default True
        Logarithmic y axis.
    labels : list of str, optional
        Legend labels for a list input (dict keys are used for a dict). Default: a Trace's
        ``method`` (or ``name``) attribute if it has one, else "run 0", "run 1", ...
    x_star : array_like, optional
        Minimizer, required for ``kind="dist"`` with Traces / iterates.
    f_star : float, optional
        Optimal value subtracted for ``kind="f"``.
    minor_ticks : bool, default False
        Keep matplotlib's minor ticks; by default they are turned off (a log axis spanning
        many decades otherwise carries dozens of unlabeled ticks).
    **line_kwargs
        Passed to every ``ax.plot`` call (they override the per-method styles).

    Returns
    -------
    list of matplotlib.lines.Line2D
        One line per method, in input order; the list's ``legend`` attribute is the legend.

    Notes
    -----
    Methods differ by more than colour: the ``i``-th takes the ``i``-th line style and marker
    of :data:`helpers.accessibility.LINESTYLES` / ``MARKERS`` (markers thinned to about 12
    per curve), and its colour from the colour cycle (:data:`helpers.PALETTE`).

    On a log axis, values ``<= 0`` (e.g. ``f - f*`` that reached 0 or went slightly negative
    by round-off) cannot be drawn. They are clipped to ``eps * max|series|`` (``eps`` the
    float64 machine epsilon; at least the smallest normal float), i.e. shown as "converged to
    machine precision". Non-finite
    values (a diverged run) are left as gaps.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> lines = plot_convergence({"GD": 0.5 ** np.arange(20), "fast": 0.1 ** np.arange(10)})
    >>> [ln.get_label() for ln in lines]
    ['GD', 'fast']
    >>> plt.close("all")
    """
    if kind not in _CONVERGENCE_KINDS:
        raise ValueError(f"kind must be one of {sorted(_CONVERGENCE_KINDS)}, got {kind!r}")
    items = traces_or_arrays
    if isinstance(items, Mapping):
        names, items = list(items.keys()), list(items.values())
        if labels is not None:
            raise ValueError("labels must not be given when traces_or_arrays is a dict")
    else:
        if hasattr(items, "xs") or (isinstance(items, np.ndarray) and items.ndim == 1):
            items = [items]
        items = list(items)
        if labels is not None:
            names = list(labels)
            if len(names) != len(items):
                raise ValueError(
                    f"got {len(names)} labels for {len(items)} runs; give one label per run"
                )
        else:
            names = [getattr(it, "method", None) or getattr(it, "name", None) or f"run {i}"
                     for i, it in enumerate(items)]
    if not items:
        raise ValueError("traces_or_arrays is empty: nothing to plot")

    ax = _new_axes(ax)
    lines = []
    for name, item in zip(names, items, strict=True):
        y = _convergence_series(item, kind, x_star, f_star, name)
        y = np.where(np.isfinite(y), y, np.nan)
        if log:
            finite = np.abs(y[np.isfinite(y)])
            scale = finite.max() if finite.size and finite.max() > 0 else 1.0
            floor = max(np.finfo(float).eps * scale, np.finfo(float).tiny)
            y = np.where(np.isnan(y), np.nan, np.maximum(y, floor))
        k = len(lines) % len(LINESTYLES)
        style = dict(linestyle=LINESTYLES[k], marker=MARKERS[k], markersize=5,
                     markevery=max(1, y.size // 12))
        if "ls" in line_kwargs:
            style.pop("linestyle")
        style.update(line_kwargs)
        (line,) = ax.plot(np.arange(y.size), y, label=str(name), **style)
        lines.append(line)
    if log:
        ax.set_yscale("log")
    ylabel = _CONVERGENCE_KINDS[kind]
    if kind == "f" and f_star is not None:
        ylabel = r"$f(x_t) - f^\star$"
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if not minor_ticks:
        ax.minorticks_off()
    lines = _Lines(lines)
    lines.legend = ax.legend()
    return lines

"""Figures that everyone can read: text descriptions and a colour-blind-safe style.

Two jobs, both used by the other plotting modules:

- **Descriptions.** :func:`describe` attaches a short text ("what it shows and what to
  notice") to a matplotlib figure, written next to the code that draws it. When the figure is
  displayed in IPython/Jupyter the text travels with the image: it becomes the output's
  ``text/plain`` and the ``alt`` entry of the ``image/png`` metadata, which the course build
  (:mod:`coursetools.a11y`) turns into the ``<img alt=...>`` of the HTML pages and decks; in a
  live kernel the output also has a ``text/html`` ``<img alt=...>`` of the same PNG (rendered
  once), since JupyterLab shows ``text/html`` and ignores the ``alt`` metadata. A
  figure without a written description gets a generated summary of its titles, axes and
  legend entries, marked with :data:`AUTO_PREFIX` so the accessibility test can find it.
- **Style.** :data:`PALETTE` (Okabe & Ito's eight colours, safe for the common forms of colour
  blindness) is matplotlib's default colour cycle once ``helpers`` is imported
  (:func:`use_accessible_style`), and :func:`method_style` gives the i-th method of a comparison
  a colour, a line style *and* a marker, so methods differ without colour too.
"""

from __future__ import annotations

import sys

__all__ = [
    "AUTO_PREFIX",
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "describe",
    "description_of",
    "method_style",
    "plain_text",
    "use_accessible_style",
]

PALETTE = (
    "#0072B2",  # C0 blue
    "#E69F00",  # C1 orange
    "#009E73",  # C2 bluish green
    "#D55E00",  # C3 vermillion (red)
    "#CC79A7",  # C4 reddish purple
    "#56B4E9",  # C5 sky blue
    "#F0E442",  # C6 yellow
    "#000000",  # C7 black
)
"""Okabe & Ito's colour-blind-safe palette, in the order of matplotlib's "tab10" hues (C0 blue,
C1 orange, C2 green, C3 red, C4 purple), so notebook text such as "C3 (red)" stays true."""

LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 3)), "-")
"""Line styles cycled with :data:`PALETTE` by :func:`method_style`."""

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""Markers cycled with :data:`PALETTE` by :func:`method_style`."""

AUTO_PREFIX = "Figure (generated summary, no written description): "
"""Start of the text used for a figure that nobody described (see :func:`description_of`)."""

_ATTR = "_optml_description"


_TEX_WORDS = {r"\|": "||", r"\nabla": "grad ", r"\alpha": "alpha", r"\beta": "beta",
              r"\gamma": "gamma", r"\eta": "eta", r"\lambda": "lambda", r"\mu": "mu",
              r"\kappa": "kappa", r"\sigma": "sigma", r"\rho": "rho", r"\star": "*",
              r"\cdot": "*", r"\times": "x", r"\le": "<=", r"\ge": ">=", r"\,": " ",
              r"\hat": "", r"\tilde": "", r"\mathbf": "", r"\boldsymbol": "", r"\min": "min",
              r"\max": "max", r"\sqrt": "sqrt", r"\log": "log", r"\ln": "ln", r"\top": "T",
              r"\frac": "", r"\left": "", r"\right": "", r"\theta": "theta"}


def plain_text(text: str) -> str:
    """``text`` with inline TeX made readable aloud: ``$\\alpha = 10^{-3}$`` -> ``alpha = 10^-3``.

    Examples
    --------
    >>> plain_text(r"fixed $\\alpha = 10^{-3}$, $\\|\\nabla f\\|$")
    'fixed alpha = 10^-3, ||grad f||'
    """
    if "$" not in text and "\\" not in text:
        return " ".join(text.split())
    for tex, word in sorted(_TEX_WORDS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(tex, word)
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")
    return " ".join(text.split())


def _check_figure(fig):
    from matplotlib.figure import Figure, SubFigure

    if hasattr(fig, "figure") and not isinstance(fig, (Figure, SubFigure)):
        fig = fig.figure  # an Axes or an artist: describe its figure
    if not isinstance(fig, (Figure, SubFigure)):
        raise TypeError(
            f"describe() needs a matplotlib Figure (or an Axes of it), got {type(fig).__name__}"
        )
    return fig.get_figure(root=True) if isinstance(fig, SubFigure) else fig


def describe(fig, text):
    """Attach a text description to a figure (the image's alternative text).

    Parameters
    ----------
    fig : matplotlib.figure.Figure, matplotlib.axes.Axes or matplotlib.animation.Animation
        The figure (an Axes stands for its figure). For an animation (e.g. from
        :func:`helpers.animate_trajectories`) the text is shown next to the player by
        :func:`helpers.to_html`.
    text : str
        One to three sentences: what the figure shows and what to notice, e.g.
        ``"Contours of the Rosenbrock function with the gradient-descent path from (-1.5, 2):
        the path zig-zags across the narrow valley and crawls along its floor."`` Numbers may
        be formatted in from the code that computed them; inline TeX (``$\\alpha$``) is
        turned into plain words (:func:`plain_text`), since screen readers read it verbatim.

    Returns
    -------
    None
        Nothing, so that ``describe(fig, "...")`` can end a cell without the figure being
        echoed as the cell's value (which would show it twice with the inline backend).

    Raises
    ------
    TypeError
        If ``fig`` is not a Figure/Axes or ``text`` is not a string.
    ValueError
        If ``text`` is empty or only whitespace.

    Notes
    -----
    In IPython the figure is then displayed with ``text/plain`` equal to the description and
    ``metadata["image/png"]["alt"]`` set to it; the HTML export of the course build writes it
    into the ``alt`` attribute of the image. In a live kernel (JupyterLab) the output also
    carries ``text/html``, an ``<img alt="...">`` of the same PNG. Calling :func:`describe`
    again replaces the text (an explorer's draw function describes each redraw with the
    current control values).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([3, 2, 1])
    >>> describe(ax, "A line falling from 3 to 1: the loss decreases every step.")
    >>> description_of(fig)
    'A line falling from 3 to 1: the loss decreases every step.'
    >>> plt.close(fig)
    """
    from matplotlib.animation import Animation

    if not isinstance(fig, Animation):
        fig = _check_figure(fig)
    if not isinstance(text, str):
        raise TypeError(f"text must be a str describing the figure, got {type(text).__name__}")
    text = plain_text(text)
    if not text:
        raise ValueError("text must describe the figure (what it shows, what to notice)")
    setattr(fig, _ATTR, text)
    register_display()


def _fmt_range(lo, hi) -> str:
    return f"{lo:.3g} to {hi:.3g}"


def _strip_tex(s: str) -> str:
    return plain_text(s)


def _axes_summary(ax) -> str:
    parts = []
    title = _strip_tex(ax.get_title())
    if title:
        parts.append(f"'{title}'")
    if getattr(ax, "name", "") == "3d":
        parts.append("3-D surface")
    from matplotlib.contour import ContourSet

    if any(isinstance(c, ContourSet) for c in ax.collections):
        parts.append("contour plot")
    xl, yl = _strip_tex(ax.get_xlabel()), _strip_tex(ax.get_ylabel())
    if xl:
        parts.append(f"{xl} from {_fmt_range(*ax.get_xlim())}")
    if yl:
        scale = " (log scale)" if ax.get_yscale() == "log" else ""
        parts.append(f"{yl}{scale} from {_fmt_range(*ax.get_ylim())}")
    labels = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    if labels:
        parts.append("curves: " + ", ".join(_strip_tex(lb) for lb in labels))
    return "; ".join(parts) if parts else "a plot"


def description_of(fig) -> str:
    """The description of a figure: the one given to :func:`describe`, else a summary.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes

    Returns
    -------
    str
        The written description, or :data:`AUTO_PREFIX` followed by a summary generated from
        the figure's title, axes labels and ranges, and legend entries.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2], label="GD"); _ = ax.set_xlabel("t")
    >>> description_of(fig).startswith(AUTO_PREFIX)
    True
    >>> plt.close(fig)
    """
    from matplotlib.animation import Animation

    if isinstance(fig, Animation):
        text = getattr(fig, _ATTR, None)
        return text or AUTO_PREFIX + "animation of " + description_of(fig._fig)[len(AUTO_PREFIX):]
    fig = _check_figure(fig)
    text = getattr(fig, _ATTR, None)
    if text:
        return text
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    head = f"'{_strip_tex(title)}', " if title else ""
    if not axes:
        return AUTO_PREFIX + head + "an empty figure."
    if len(axes) == 1:
        return AUTO_PREFIX + head + _axes_summary(axes[0]) + "."
    panels = " | ".join(f"panel {i}: {_axes_summary(ax)}" for i, ax in enumerate(axes, 1))
    return AUTO_PREFIX + head + f"{len(axes)} panels. " + panels + "."


def method_style(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th method in a comparison.

    Parameters
    ----------
    i : int
        Position of the method (0, 1, ...); styles repeat after ``len(PALETTE)``.

    Returns
    -------
    dict
        ``color``, ``linestyle`` and ``marker`` keywords for ``ax.plot``.

    Examples
    --------
    >>> method_style(1)["linestyle"], method_style(1)["marker"]
    ('--', 's')
    """
    if isinstance(i, bool) or not isinstance(i, int) or i < 0:
        raise ValueError(f"i must be a non-negative int, got {i!r}")
    k = i % len(PALETTE)
    return {"color": PALETTE[k], "linestyle": LINESTYLES[k], "marker": MARKERS[k]}


def use_accessible_style() -> None:
    """Make :data:`PALETTE` matplotlib's colour cycle (done once by ``import helpers``).

    Only the colour cycle changes: every ``ax.plot`` without an explicit colour, in helpers
    and in notebooks, takes the colour-blind-safe colours in order. Line styles and markers
    are added by the plotting helpers that compare methods (:func:`method_style`).
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE))


# --------------------------------------------------------------------------------------------
# IPython display: description as text/plain and as the image's alt metadata
# --------------------------------------------------------------------------------------------
#: the display formatter's own PNG printer for figures (the inline backend's), taken over by
#: :func:`_figure_mimebundle` so that a figure is rendered once, {"printer": callable}
_PNG_PRINTER: dict = {}


def image_html(png_b64: str, text: str) -> str:
    """An ``<img>`` of a base64 PNG whose ``alt`` is ``text`` (escaped), for ``text/html``."""
    import html

    return f'<img src="data:image/png;base64,{png_b64}" alt="{html.escape(text, quote=True)}"/>'


def _png_printer():
    """The inline backend's PNG printer for figures, removed from the per-mime formatter.

    IPython's ``DisplayFormatter.format`` calls a registered per-mime ``image/png`` formatter
    even when the mimebundle formatter already gave ``image/png``, which would render the
    figure twice. So the printer that the inline backend registers
    (``select_figure_formats``, possibly again later) is moved here and called once by
    :func:`_figure_mimebundle`. None when no PNG printer was ever registered (no inline
    backend, e.g. a terminal IPython).
    """
    from IPython import get_ipython
    from matplotlib.figure import Figure

    ip = get_ipython()
    if ip is not None and hasattr(ip, "display_formatter"):
        png = ip.display_formatter.formatters.get("image/png")
        printer = png.pop(Figure, None) if png is not None else None
        if printer is not None:
            _PNG_PRINTER["printer"] = printer
    return _PNG_PRINTER.get("printer")


def _figure_mimebundle(fig):
    """Display data of a figure: its description as ``text/plain`` and as the image's alt.

    The PNG is rendered once, by the inline backend's own printer (same options, e.g. its
    "tight" bounding box), into ``image/png`` with ``metadata["image/png"]["alt"]`` (classic
    notebook; nbconvert and :mod:`coursetools.a11y` write it into ``<img alt>``). In a live
    kernel (not :func:`helpers.static_mode`) the same PNG is also given as ``text/html``, an
    ``<img alt="...">``, because JupyterLab prefers ``text/html`` and ignores the ``alt``
    metadata of ``image/png``. Headless builds (HTML pages, decks, nbgrader) keep one copy
    of the image, so executed notebooks do not grow.
    """
    from .widgets import static_mode

    text = description_of(fig)
    data, metadata = {"text/plain": text}, {"image/png": {"alt": text}}
    printer = _png_printer()
    if printer is None:
        # The inline backend registers its PNG printer only when pyplot first resolves its
        # backend: a Figure made without pyplot (an explorer's persistent figure) and displayed
        # before any pyplot figure would otherwise show no image. Render it as that printer
        # would (IPython's print_figure, the inline backend's default "tight" box).
        from IPython.core.pylabtools import print_figure

        printer = print_figure
    if printer is not None:
        png = printer(fig)
        if isinstance(png, bytes):
            import base64

            png = base64.b64encode(png).decode("ascii")
        if png:
            data["image/png"] = png
            if not static_mode():
                data["text/html"] = image_html(png, text)
    return data, metadata


def register_display() -> bool:
    """Register the figure display hook in the running IPython (idempotent).

    Returns
    -------
    bool
        True when an IPython shell is running (the hook is in place), else False.
    """
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    ip = get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return False
    from matplotlib.figure import Figure

    ip.display_formatter.mimebundle_formatter.for_type(Figure, _figure_mimebundle)
    return True

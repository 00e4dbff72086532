"""Animated optimizer paths over a contour plot, embedded in notebooks as jshtml.

:func:`animate_trajectories` plays any number of paths at once (one colored line and a moving
head per method) over the contours drawn by :func:`helpers.plotting.plot_contours`, so the
figure code stays out of the notebooks; :func:`to_html` turns the animation into an
``IPython.display.HTML`` object (matplotlib's jshtml player: no ffmpeg needed) and closes the
figure so the notebook does not show an extra static copy.

Long runs are thinned to at most ``max_frames`` frames (uniform in the iteration index and
always including the last iterate); with the defaults an animation of four 200-step runs is
about 0.5 MB of HTML (the test suite checks it stays below 1.5 MB).
"""

from __future__ import annotations

import base64
import io
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter

from .accessibility import _ATTR, AUTO_PREFIX, LINESTYLES, MARKERS, describe, description_of
from .plotting import _as_path, plot_contours

__all__ = ["TrajectoryAnimation", "animate_trajectories", "frame_indices", "to_html"]


def frame_indices(n_iterates: int, max_frames: int) -> np.ndarray:
    """Iteration indices shown by an animation of ``n_iterates`` iterates.

    Parameters
    ----------
    n_iterates : int
        Length of the longest path (``k + 1`` for iterates ``x_0 ... x_k``), at least 1.
    max_frames : int
        Upper bound on the number of frames, at least 2.

    Returns
    -------
    numpy.ndarray of int
        Strictly increasing indices from 0 to ``n_iterates - 1`` (both included), spread
        uniformly; all indices when ``n_iterates <= max_frames``.

    Examples
    --------
    >>> frame_indices(5, 60).tolist()
    [0, 1, 2, 3, 4]
    >>> frame_indices(201, 5).tolist()
    [0, 50, 100, 150, 200]
    """
    n_iterates, max_frames = int(n_iterates), int(max_frames)
    if n_iterates < 1:
        raise ValueError(f"need at least one iterate, got n_iterates={n_iterates}")
    if max_frames < 2:
        raise ValueError(f"max_frames must be an int >= 2, got {max_frames}")
    if n_iterates <= max_frames:
        return np.arange(n_iterates)
    return np.unique(np.round(np.linspace(0, n_iterates - 1, max_frames)).astype(int))


def _finite_prefix(path: np.ndarray) -> np.ndarray:
    """The iterates before the first non-finite one (a diverged run stops there)."""
    bad = ~np.all(np.isfinite(path), axis=1)
    stop = int(np.argmax(bad)) if bad.any() else path.shape[0]
    if stop == 0:
        raise ValueError("a path's first iterate is not finite: nothing to animate")
    return path[:stop]


class TrajectoryAnimation(FuncAnimation):
    """A ``FuncAnimation`` that plays several 2-D paths in step (blitting).

    Frame ``t`` shows every path up to iterate ``min(t, k_path)``: a line with small dots
    and a larger "head" marker at the current iterate; a counter shows ``t``. Paths that
    stopped earlier (converged) stay at their last iterate. Build it with
    :func:`animate_trajectories`; the attributes below can be inspected in tests.

    Attributes
    ----------
    paths : dict of str to ndarray
        The (finite prefixes of the) paths, shape ``(k_i + 1, 2)`` each.
    frame_indices : ndarray of int
        The iteration index shown in each frame.
    lines, heads : list of Line2D
        The animated path lines and current-iterate markers, one per path.
    counter : matplotlib.text.Text
        The "iteration t" label.
    """

    def __init__(self, fig, ax, paths, frame_idx, *, interval=100, repeat=False,
                 counter_fmt="iteration {t}"):
        self.ax = ax
        self.paths = paths
        self.frame_indices = np.asarray(frame_idx)
        self.counter_fmt = counter_fmt
        self.lines, self.heads = [], []
        for i, (name, path) in enumerate(paths.items()):
            k = i % len(LINESTYLES)  # several methods differ by line style and marker too
            (line,) = ax.plot([], [], marker=MARKERS[k], linestyle=LINESTYLES[k], markersize=3,
                              linewidth=1.6, label=name, zorder=4)
            color = line.get_color()
            (head,) = ax.plot([], [], linestyle="none", marker=MARKERS[k], markersize=8,
                              color=color,
                              markeredgecolor="black", markeredgewidth=0.8, zorder=6,
                              label="_head")
            ax.plot(path[:1, 0], path[:1, 1], linestyle="none", marker="o", markersize=9,
                    color=color, markerfacecolor="white", markeredgecolor=color, markeredgewidth=2,
                    zorder=5, label="_start")
            self.lines.append(line)
            self.heads.append(head)
        self.counter = ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top",
                               fontsize=9, zorder=7,
                               bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7",
                                         alpha=0.85))
        super().__init__(fig, self._draw_frame_at, frames=self.frame_indices,
                         init_func=self._init, interval=interval, blit=True, repeat=repeat)

    def _artists(self):
        return [*self.lines, *self.heads, self.counter]

    def _init(self):
        for line, head in zip(self.lines, self.heads, strict=True):
            line.set_data([], [])
            head.set_data([], [])
        self.counter.set_text("")
        return self._artists()

    def _draw_frame_at(self, t):
        for line, head, path in zip(self.lines, self.heads, self.paths.values(), strict=True):
            j = min(int(t), path.shape[0] - 1)
            line.set_data(path[: j + 1, 0], path[: j + 1, 1])
            head.set_data(path[j : j + 1, 0], path[j : j + 1, 1])
        self.counter.set_text(self.counter_fmt.format(t=int(t)))
        return self._artists()


def animate_trajectories(
    f,
    paths,
    ax=None,
    xlim=None,
    ylim=None,
    max_frames=60,
    interval=100,
    *,
    levels=20,
    log_levels=None,
    figsize=(5.5, 4.5),
    dpi=80,
    legend_loc="upper right",
    title=None,
    repeat=False,
    description=None,
):
    """Animate several optimizer paths at once over the contours of ``f``.

    Parameters
    ----------
    f : callable or Problem
        Objective for the background (see :func:`helpers.plotting.plot_contours`); a Problem
        supplies its window, level spacing and minimizer stars.
    paths : dict of str to (array_like or Trace)
        ``{"label": xs, ...}`` with ``xs`` of shape ``(k, 2)`` or a Trace (uses ``.xs``).
        A single array or Trace is accepted too (labelled "path"). A diverged path is cut at
        its first non-finite iterate.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (its whole figure is animated; its layout is left alone); by
        default a new ``figsize`` figure at ``dpi`` is created.
    xlim, ylim : (float, float), optional
        Window (default: the Problem's, else ``(-2, 2)``).
    max_frames : int, default 60
        Maximum number of frames; long runs are thinned (see :func:`frame_indices`).
    interval : int, default 100
        Milliseconds between frames.
    levels, log_levels
        Passed to :func:`helpers.plotting.plot_contours`.
    figsize : (float, float), default (5.5, 4.5)
        Size of a new figure (fits one 1280x720 slide).
    dpi : int, default 80
        Resolution of a new figure; it sets the size of every embedded frame.
    legend_loc : str, default "upper right"
        Legend position (``None`` for no legend).
    title : str, optional
        Axes title.
    repeat : bool, default False
        Loop the animation (also the default mode of :func:`to_html`'s player).
    description : str, optional
        What the animation shows and what to notice (see :func:`helpers.describe`); shown
        as text next to the player and used as the frames' alternative text by
        :func:`to_html`. Default: a generated summary naming the paths.

    Returns
    -------
    TrajectoryAnimation
        A :class:`matplotlib.animation.FuncAnimation` (``blit=True``). Show it in a notebook
        with ``to_html(anim)``; it must be rendered (or saved) once, otherwise matplotlib
        warns when it is garbage collected.

    Notes
    -----
    Size and time scale with the number of frames. :func:`to_html` embeds the static
    background once and one small transparent PNG of the moving paths per frame: with the
    defaults (60 frames, 5.5 x 4.5 in at 80 dpi) four 200-iterate paths over Rosenbrock's
    contours give about 0.5 MB of HTML, rendered in about 2 s on a busy 2-core machine
    (``tests/test_animation.py`` prints both and asserts the 1.5 MB budget). matplotlib's
    plain ``anim.to_jshtml()`` also works but stores the whole figure in every frame
    (about 9 MB and 13 s for the same animation).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> bowl = lambda x: x[..., 0] ** 2 + 4 * x[..., 1] ** 2
    >>> xs = np.array([1.5, 1.0]) * 0.9 ** np.arange(30)[:, None]   # 30 iterates
    >>> anim = animate_trajectories(bowl, {"GD": xs}, max_frames=10)
    >>> anim.frame_indices.tolist()
    [0, 3, 6, 10, 13, 16, 19, 23, 26, 29]
    >>> html = to_html(anim)
    >>> "<img" in html.data or "frames[0]" in html.data
    True
    """
    import matplotlib.pyplot as plt

    if isinstance(paths, Mapping):
        named = dict(paths)
    elif hasattr(paths, "xs") or np.ndim(paths) == 2:
        named = {"path": paths}
    else:
        raise TypeError(
            "paths must be a dict {label: (k, 2) array or Trace}, or a single array/Trace; "
            f"got {type(paths).__name__}"
        )
    if not named:
        raise ValueError("paths is empty: nothing to animate")
    arrays = {str(k): _finite_prefix(_as_path(v, name=f"paths[{k!r}]"))
              for k, v in named.items()}
    idx = frame_indices(max(p.shape[0] for p in arrays.values()), max_frames)

    own_figure = ax is None
    if own_figure:
        fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    else:
        fig = ax.figure
    plot_contours(f, ax=ax, xlim=xlim, ylim=ylim, levels=levels, log_levels=log_levels,
                  linewidths=1.0, alpha=0.8)
    if title is not None:
        ax.set_title(title)
    anim = TrajectoryAnimation(fig, ax, arrays, idx, interval=interval, repeat=repeat)
    if description is not None:
        describe(anim, description)
    else:
        longest = max(p.shape[0] for p in arrays.values()) - 1
        setattr(anim, _ATTR, None)
        anim._optml_summary = (
            f"{AUTO_PREFIX}animation of {len(arrays)} optimizer path(s) ({', '.join(arrays)}) "
            f"over the contour lines of the objective, {len(idx)} frames from iteration 0 to "
            f"{longest}."
        )
    if legend_loc is not None:
        ax.legend(loc=legend_loc, fontsize=9, framealpha=0.9)
    if own_figure:
        fig.tight_layout()
    return anim


def _png_bytes(rgba: np.ndarray) -> bytes:
    """Encode an ``(h, w, 4)`` uint8 RGBA buffer as PNG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba), mode="RGBA").save(buf, format="png")
    return buf.getvalue()


class _OverlayHTMLWriter(HTMLWriter):
    """matplotlib's jshtml writer, with frames that hold only the animated artists.

    The static part of the figure (contours, axes, legend) is embedded once, as the CSS
    background of the player's ``<img>``; each frame is a transparent PNG of the moving
    artists, grabbed from the Agg canvas buffer after a blit-style redraw.
    """

    def __init__(self, *args, background_png: bytes, **kwargs):
        super().__init__(*args, embed_frames=True, **kwargs)
        self._background_png = background_png

    def grab_frame(self, **savefig_kwargs):
        if self._hit_limit:
            return
        data = _png_bytes(np.asarray(self.fig.canvas.buffer_rgba()))
        imgdata64 = base64.encodebytes(data).decode("ascii")
        self._total_bytes += len(imgdata64)
        if self._total_bytes >= self._bytes_limit:
            raise RuntimeError(
                f"animation exceeds animation.embed_limit ({self._bytes_limit / 2**20:.0f} MB); "
                "use fewer frames (max_frames) or a smaller figure"
            )
        self._saved_frames.append(imgdata64)

    def finish(self):
        super().finish()
        html = Path(self.outfile).read_text()
        tag = '<img id="_anim_img'
        if html.count(tag) != 1:  # pragma: no cover - depends on matplotlib's template
            raise RuntimeError("unexpected jshtml template: cannot place the static background")
        b64 = base64.b64encode(self._background_png).decode("ascii")
        style = (f'<img style="background-image: url(data:image/png;base64,{b64}); '
                 'background-size: 100% 100%;" id="_anim_img')
        Path(self.outfile).write_text(html.replace(tag, style))


def _layered_jshtml(anim: TrajectoryAnimation, fps, default_mode) -> str:
    """jshtml of a TrajectoryAnimation: static background once, transparent overlay frames."""
    fig = anim._fig
    canvas = fig.canvas
    fps = 1000.0 / anim._interval if fps is None else fps
    artists = anim._init()
    for a in artists:
        a.set_animated(True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "animation.html"
        canvas.draw()  # full draw without the animated artists: the background
        writer = _OverlayHTMLWriter(fps=fps, default_mode=default_mode,
                                    background_png=_png_bytes(np.asarray(canvas.buffer_rgba())))
        with writer.saving(fig, path, dpi=fig.dpi):
            renderer = canvas.get_renderer()
            for t in anim.frame_indices:
                renderer.clear()  # transparent
                for a in anim._draw_frame_at(t):
                    fig.draw_artist(a)
                writer.grab_frame()
        anim._draw_was_started = True  # rendered: no "deleted without rendering" warning
        return path.read_text()


_ICON_SHAPES = {
    "fa fa-minus": '<rect x="2" y="7" width="12" height="2"/>',
    "fa fa-plus": '<rect x="2" y="7" width="12" height="2"/><rect x="7" y="2" width="2" '
                  'height="12"/>',
    "fa fa-play": '<polygon points="4,2 14,8 4,14"/>',
    "fa fa-play fa-flip-horizontal": '<polygon points="12,2 2,8 12,14"/>',
    "fa fa-pause": '<rect x="3" y="2" width="4" height="12"/><rect x="9" y="2" width="4" '
                   'height="12"/>',
    "fa fa-step-forward": '<polygon points="3,2 11,8 3,14"/><rect x="11" y="2" width="2.5" '
                          'height="12"/>',
    "fa fa-step-backward": '<rect x="2.5" y="2" width="2.5" height="12"/><polygon '
                           'points="13,2 5,8 13,14"/>',
    "fa fa-fast-forward": '<polygon points="1,2 7,8 1,14"/><polygon points="7,2 13,8 7,14"/>'
                          '<rect x="13" y="2" width="2" height="12"/>',
    "fa fa-fast-backward": '<rect x="1" y="2" width="2" height="12"/><polygon '
                           'points="9,2 3,8 9,14"/><polygon points="15,2 9,8 15,14"/>',
}
_FONT_AWESOME_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>\s*", re.I)


def _self_contained(html: str) -> str:
    """Make matplotlib's jshtml player work offline.

    The player links Font Awesome from a CDN for its button icons; without network (the
    offline HTML and slide builds) the buttons would be blank. The link is removed and each
    icon is replaced by a small inline SVG.
    """
    html = _FONT_AWESOME_LINK.sub("", html)
    for cls, shapes in _ICON_SHAPES.items():
        svg = (f'<svg viewBox="0 0 16 16" width="1em" height="1em" fill="currentColor" '
               f'aria-hidden="true">{shapes}</svg>')
        html = html.replace(f'<i class="{cls}"></i>', svg)
    return html


_SLIDER = re.compile(r'(<input id="_anim_slider[^"]*" type="range")')
_RADIO = re.compile(r'(<input type="radio" name="state" value="(\w+)")')
_IMG = re.compile(r'(<img (?:style="[^"]*" )?id="_anim_img[^"]*")')


def _accessible_player(html: str, description: str) -> str:
    """Name the player's controls and put the description on the frames and next to them.

    matplotlib's jshtml player has an unlabelled frame slider and unlabelled radio buttons
    (their ``<label>`` only says "Once", "Loop", "Reflect") and an ``<img>`` without ``alt``.
    The slider gets ``aria-label="Animation frame"``, each radio "Repetition: <mode>", the
    image the description as ``alt``; the description is also written as a visible
    paragraph under the player.
    """
    import html as _html

    alt = _html.escape(description, quote=True)
    html = _SLIDER.sub(r'\1 aria-label="Animation frame"', html)
    html = _RADIO.sub(lambda m: f'{m.group(1)} aria-label="Repetition: {m.group(2)}"', html)
    html = _IMG.sub(lambda m: f'{m.group(1)} alt="{alt}"', html, count=1)
    label = "" if description.lower().startswith("animation") else "<strong>Animation:</strong> "
    return (f'<div class="optml-animation" role="group" aria-label="Animation">\n{html}\n'
            f'<p class="optml-figure-description">{label}'
            f'{_html.escape(description)}</p>\n</div>')


def to_html(anim, *, fps=None, default_mode=None, description=None):
    """Render an animation as an interactive jshtml player for a notebook.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        E.g. from :func:`animate_trajectories`; any other matplotlib animation is rendered
        with its own ``to_jshtml``.
    fps : float, optional
        Playback speed; default ``1000 / interval``.
    default_mode : {"once", "loop", "reflect"}, optional
        Player mode; default "loop" if the animation repeats, else "once".
    description : str, optional
        What the animation shows and what to notice. Default: the one given to
        :func:`animate_trajectories` / :func:`helpers.describe`, else a generated summary.

    Returns
    -------
    IPython.display.HTML
        Display it (last expression of a cell). Its ``data`` is the HTML string.

    Notes
    -----
    For a :class:`TrajectoryAnimation` the static part of the figure (contours, axes,
    legend) is rendered once and embedded as the background of the player's image; every
    frame is a transparent PNG holding only the moving paths. This keeps the HTML small
    (about 0.1 MB per 60 frames of four paths, plus one background image) and the rendering
    fast (blit-style redraws instead of one full figure draw per frame). It uses
    matplotlib's own jshtml player (``HTMLWriter``), so the controls look as usual.

    The player is self-contained: matplotlib's link to Font Awesome on a CDN is dropped and
    the button icons are inline SVG, so it works in offline HTML and slide exports.

    Accessibility: the frame slider and the repetition radio buttons get accessible names,
    the frames' ``<img>`` the description as ``alt``, and the description is written as
    text under the player (so a screen-reader user learns what the animation shows).

    The animation's figure is closed afterwards (also on error), so the inline backend does
    not show a duplicate static image of the last frame under the player.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> xs = np.array([1.5, 1.0]) * 0.8 ** np.arange(10)[:, None]
    >>> html = to_html(animate_trajectories(lambda x: (x ** 2).sum(-1), {"GD": xs}))
    >>> html.data.count("frames[") >= 10
    True
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML

    fig = getattr(anim, "_fig", None)
    if fig is None or not hasattr(anim, "to_jshtml"):
        raise TypeError(f"expected a matplotlib Animation, got {type(anim).__name__}")
    if default_mode is None:
        default_mode = "loop" if getattr(anim, "_repeat", False) else "once"
    if description is not None:
        describe(anim, description)
    text = getattr(anim, _ATTR, None) or getattr(anim, "_optml_summary", None)
    if not text:
        text = description_of(anim)
    try:
        if isinstance(anim, TrajectoryAnimation) and hasattr(fig.canvas, "buffer_rgba"):
            html = _layered_jshtml(anim, fps, default_mode)
        else:
            html = anim.to_jshtml(fps=fps, default_mode=default_mode)
    finally:
        plt.close(fig)
    return HTML(_accessible_player(_self_contained(html), text))

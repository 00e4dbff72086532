"""Tests for helpers.animation: frame thinning, the animated artists and the jshtml output."""

import doctest
import re
import time
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import helpers.animation  # noqa: E402
from helpers.accessibility import AUTO_PREFIX, PALETTE  # noqa: E402
from helpers.animation import animate_trajectories, frame_indices, to_html  # noqa: E402
from helpers.functions import rosenbrock  # noqa: E402

FRAME = re.compile(r'frames\[\d+\] = "data:image/png;base64,')
SIZE_LIMIT = 1.5e6  # bytes: the course's budget for one embedded animation


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def bowl(x):
    return x[..., 0] ** 2 + 4 * x[..., 1] ** 2


def gd_path(n, lr, x0=(1.8, 1.5)):
    """n iterates of gradient descent on bowl (contracting, so it stays in the window)."""
    factors = np.array([1 - 2 * lr, 1 - 8 * lr])
    return np.asarray(x0) * factors ** np.arange(n)[:, None]


def rosenbrock_runs(n):
    """Four different n-iterate runs on Rosenbrock (GD and heavy-ball with various steps)."""
    p = rosenbrock()

    def run(lr, beta):
        x, v, xs = np.array([-1.2, 1.0]), np.zeros(2), []
        for _ in range(n):
            xs.append(x)
            v = beta * v - lr * p.grad(x)
            x = x + v
        return np.array(xs)

    return p, {"GD": run(1e-3, 0.0), "GD small": run(3e-4, 0.0),
               "momentum 0.5": run(5e-4, 0.5), "momentum 0.9": run(1e-4, 0.9)}


# --- frame thinning ------------------------------------------------------------------------
@settings(deadline=None)
@given(n=st.integers(1, 5000), m=st.integers(2, 300))
def test_frame_indices_are_uniform_and_keep_first_and_last(n, m):
    idx = frame_indices(n, m)
    assert idx[0] == 0 and idx[-1] == n - 1
    assert np.all(np.diff(idx) > 0)
    assert len(idx) == min(n, m)  # thinning never drops below the budget when n >= m
    if n > m:
        gaps = np.diff(idx)
        assert gaps.max() - gaps.min() <= 1  # uniform in the iteration index


def test_frame_indices_validates():
    with pytest.raises(ValueError, match="max_frames"):
        frame_indices(10, 1)
    with pytest.raises(ValueError, match="iterate"):
        frame_indices(0, 10)


# --- the animation object ------------------------------------------------------------------
def test_animation_structure_and_frames():
    long, short = gd_path(100, 0.05), gd_path(7, 0.2)
    trace = types.SimpleNamespace(xs=short)
    anim = animate_trajectories(bowl, {"slow": long, "fast": trace}, max_frames=20)
    assert isinstance(anim, FuncAnimation) and anim._blit
    assert len(anim.frame_indices) == 20 and anim.frame_indices[-1] == 99
    ax = anim.ax
    assert len(ax.collections) >= 1  # contour background from plot_contours
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["slow", "fast"]
    assert len(anim.lines) == len(anim.heads) == 2
    assert [to_hex(ln.get_color()) for ln in anim.lines] == [c.lower() for c in PALETTE[:2]]
    # methods differ by line style and marker as well as colour
    assert anim.lines[0].get_linestyle() != anim.lines[1].get_linestyle()
    assert anim.lines[0].get_marker() != anim.lines[1].get_marker()

    artists = anim._draw_frame_at(50)
    assert set(artists) >= set(anim.lines) | set(anim.heads)
    np.testing.assert_array_equal(anim.lines[0].get_xydata(), long[:51])
    np.testing.assert_array_equal(anim.heads[0].get_xydata(), long[50:51])
    # the short run has stopped: it stays at its last iterate
    np.testing.assert_array_equal(anim.lines[1].get_xydata(), short)
    np.testing.assert_array_equal(anim.heads[1].get_xydata(), short[-1:])
    assert anim.counter.get_text() == "iteration 50"
    to_html(anim)


def test_diverged_path_is_cut_at_first_non_finite_iterate():
    xs = np.array([[1.0, 1.0], [2.0, -3.0], [np.inf, 5.0], [np.nan, np.nan]])
    anim = animate_trajectories(bowl, {"diverged": xs})
    assert anim.paths["diverged"].shape == (2, 2)
    assert anim.frame_indices.tolist() == [0, 1]
    to_html(anim)


def test_single_array_and_bad_inputs():
    anim = animate_trajectories(bowl, gd_path(5, 0.1), max_frames=5)
    assert list(anim.paths) == ["path"]
    to_html(anim)
    with pytest.raises(TypeError, match="dict"):
        animate_trajectories(bowl, "GD")
    with pytest.raises(ValueError, match="empty"):
        animate_trajectories(bowl, {})
    with pytest.raises(ValueError, match=r"\(k, 2\)"):
        animate_trajectories(bowl, {"bad": np.zeros((4, 3))})
    with pytest.raises(TypeError, match="Animation"):
        to_html(plt.figure())


def test_given_axes_and_problem_window():
    p = rosenbrock()
    fig, axs = plt.subplots(1, 2, layout="constrained")  # must not be switched to "tight"
    ax = axs[0]
    anim = animate_trajectories(p, {"a": np.array([[-1.2, 1.0], [-1.0, 1.0]])}, ax=ax)
    assert type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    assert anim.ax is ax and anim._fig is fig
    assert ax.get_xlim() == p.xlim and ax.get_ylim() == p.ylim
    to_html(anim)


# --- jshtml output -------------------------------------------------------------------------
def test_to_html_has_one_frame_per_index_closes_figure_and_embeds_background():
    anim = animate_trajectories(bowl, {"GD": gd_path(40, 0.05)}, max_frames=12)
    num = anim._fig.number
    html = to_html(anim).data
    assert not plt.fignum_exists(num)  # no duplicate static figure in the notebook
    assert len(FRAME.findall(html)) == 12
    assert html.count("background-image: url(data:image/png;base64,") == 1
    assert 'class="anim-slider"' in html  # matplotlib's jshtml player


def test_player_is_self_contained_offline():
    html = to_html(animate_trajectories(bowl, {"GD": gd_path(5, 0.1)})).data
    assert not re.search(r"https?://", html)  # no CDN stylesheet, no remote anything
    assert 'class="fa' not in html
    assert html.count("<svg") == 9  # one inline icon per player button
    assert html.count("<button") == 9


def test_generic_funcanimation_falls_back_to_to_jshtml():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([], [])

    def step(i):
        line.set_data(np.arange(i + 1), np.arange(i + 1))
        return (line,)

    anim = FuncAnimation(fig, step, frames=3, blit=True)
    html = to_html(anim).data
    assert len(FRAME.findall(html)) == 3
    assert not plt.fignum_exists(fig.number)


def test_four_runs_of_200_iterates_fit_the_size_budget():
    p, paths = rosenbrock_runs(200)
    t0 = time.perf_counter()
    anim = animate_trajectories(p, paths)
    html = to_html(anim).data
    seconds = time.perf_counter() - t0
    size = len(html.encode())
    print(f"4 x 200 iterates: {size / 1e6:.3f} MB, {seconds:.2f} s")
    assert len(FRAME.findall(html)) == 60
    assert size < SIZE_LIMIT
    assert seconds < 30  # generous: a few seconds on an idle 2-core machine


def test_thinning_keeps_long_runs_within_the_size_budget():
    # 2000 frames would be several MB; thinned to 60 frames it must stay under budget.
    p, paths = rosenbrock_runs(2000)
    html = to_html(animate_trajectories(p, paths)).data
    assert len(FRAME.findall(html)) == 60
    assert len(html.encode()) < SIZE_LIMIT


def test_player_controls_are_labelled_and_described():
    anim = animate_trajectories(bowl, {"GD": gd_path(10, 0.1)}, max_frames=5,
                                description="GD slides straight into the minimum.")
    html = to_html(anim).data
    assert re.search(r'<input id="_anim_slider[^>]*aria-label="Animation frame"', html)
    assert len(re.findall(r'type="radio"[^>]*aria-label="Repetition: \w+"', html)) == 3
    assert re.search(r'<img [^>]*id="_anim_img[^>]*alt="GD slides straight into the minimum."',
                     html)
    assert 'class="optml-figure-description"' in html
    assert html.count("GD slides straight into the minimum.") == 2  # alt and visible text
    # no description given: a generated summary naming the paths, marked as such
    html = to_html(animate_trajectories(bowl, {"GD": gd_path(10, 0.1)}, max_frames=5)).data
    assert AUTO_PREFIX in html and "(GD)" in html
    # to_html(description=...) overrides, and HTML in it is escaped
    html = to_html(animate_trajectories(bowl, {"GD": gd_path(10, 0.1)}, max_frames=5),
                   description="a <b> & c").data
    assert "a &lt;b&gt; &amp; c" in html and "a <b>" not in html


def test_docstring_examples_run():
    result = doctest.testmod(helpers.animation)
    assert result.attempted > 0 and result.failed == 0

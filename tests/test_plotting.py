"""Tests for helpers.plotting: assertions on the returned artists, never on pixels."""

import doctest
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import QuadContourSet  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402

import helpers.plotting  # noqa: E402
from helpers.accessibility import MARKERS, PALETTE  # noqa: E402
from helpers.plotting import (  # noqa: E402
    plot_contours,
    plot_convergence,
    plot_gradients,
    plot_surface,
    plot_trajectory,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def bowl(x):
    return x[..., 0] ** 2 + 4 * x[..., 1] ** 2


def bowl_grad(x):
    return np.stack([2 * x[..., 0], 8 * x[..., 1]], axis=-1)


def rosen(x):
    return (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2


def rosen_grad(x):
    a, b = x[..., 0], x[..., 1]
    return np.stack([-2 * (1 - a) - 400 * a * (b - a**2), 200 * (b - a**2)], axis=-1)


def make_problem(**overrides):
    """A minimal stand-in with the attributes of helpers.Problem that plotting uses."""
    attrs = dict(f=rosen, grad=rosen_grad, xlim=(-2.0, 2.0), ylim=(-1.0, 3.0),
                 log_levels=True, minimizers=np.array([[1.0, 1.0]]), name="rosenbrock")
    attrs.update(overrides)
    return types.SimpleNamespace(**attrs)


class CountingF:
    """Records how often and with which shapes it is called."""

    def __init__(self, f):
        self.f, self.shapes = f, []

    def __call__(self, x):
        self.shapes.append(np.shape(x))
        return self.f(x)


# --- plot_contours -------------------------------------------------------------------------
def test_contours_returns_contour_set_with_requested_window_and_labels():
    cs = plot_contours(bowl, xlim=(-3, 1), ylim=(-0.5, 2), levels=12)
    assert isinstance(cs, QuadContourSet)
    ax = cs.axes
    assert ax.get_xlim() == (-3, 1) and ax.get_ylim() == (-0.5, 2)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert ax.get_aspect() == 1.0
    assert cs.cmap.name == "viridis"
    # the grid covered exactly the window: data range of f there is [0, f(-3, 2)]
    assert np.isclose(cs.zmax, bowl(np.array([-3.0, 2.0])))
    assert 0 <= cs.zmin < 1e-3
    assert 8 <= len(cs.levels) <= 16  # about the requested number of "nice" levels


def test_contours_evaluates_the_grid_in_one_vectorized_call():
    f = CountingF(bowl)
    plot_contours(f, resolution=50, xlim=(-1, 1), ylim=(0, 3))
    assert f.shapes == [(50, 50, 2)]


def test_contours_draws_into_given_axes():
    fig, axs = plt.subplots(1, 2)
    cs = plot_contours(bowl, ax=axs[1])
    assert cs.axes is axs[1]
    assert len(axs[0].collections) == 0 and len(axs[1].collections) >= 1


def test_non_vectorized_f_gets_a_clear_error():
    def scalar_only(x):
        return x[0] ** 2 + x[1] ** 2  # wrong: indexes rows, not coordinates

    with pytest.raises(TypeError, match="vectorized"):
        plot_contours(scalar_only)

    def loops(x):
        return float(np.sum(np.asarray(x) ** 2))

    with pytest.raises(TypeError, match=r"shape \(200, 200\)"):
        plot_contours(loops)


def test_bad_inputs():
    with pytest.raises(TypeError, match="callable"):
        plot_contours(3.0)
    with pytest.raises(ValueError, match="xlim"):
        plot_contours(bowl, xlim=(1, -1))
    with pytest.raises(ValueError, match="constant"):
        plot_contours(lambda x: np.zeros(x.shape[:-1]))


def test_log_levels_are_geometric_above_grid_minimum_and_cover_the_range():
    cs = plot_contours(rosen, xlim=(-2, 2), ylim=(-1, 3), levels=15, log_levels=True)
    lv = np.asarray(cs.levels)
    assert len(lv) == 15
    X, Y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-1, 3, 200))
    grid_min = rosen(np.stack([X, Y], axis=-1)).min()
    ratios = np.diff(np.log(lv - grid_min))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-8)  # geometric above the grid min
    zmax = rosen(np.array([-2.0, -1.0]))
    assert np.isclose(lv[-1], zmax, rtol=1e-6)
    assert lv[0] < 1.0  # resolves the valley floor, not only the walls


def test_log_levels_work_for_negative_functions():
    shifted = lambda x: rosen(x) - 1000.0  # noqa: E731
    cs = plot_contours(shifted, xlim=(-2, 2), ylim=(-1, 3), levels=10, log_levels=True)
    lv = np.asarray(cs.levels)
    assert lv[0] > -1000.0 and lv[0] < -999.0 and np.all(np.diff(lv) > 0)


def test_problem_supplies_window_log_levels_and_minimizer_star():
    p = make_problem()
    cs = plot_contours(p, levels=10)
    ax = cs.axes
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 3.0)
    lv = np.asarray(cs.levels)
    assert np.all(np.diff(np.log(np.diff(lv))) > 0)  # log-spaced: gaps grow
    stars = [ln for ln in ax.lines if ln.get_gid() == "minimizers"]
    assert len(stars) == 1 and stars[0].get_marker() == "*"
    np.testing.assert_array_equal(stars[0].get_xydata(), [[1.0, 1.0]])
    # explicit arguments win over the Problem's
    cs2 = plot_contours(p, xlim=(0, 1), log_levels=False, mark_minimizers=False)
    assert cs2.axes.get_xlim() == (0, 1)
    assert not [ln for ln in cs2.axes.lines if ln.get_gid() == "minimizers"]


def test_single_color_lines_replace_the_colormap():
    cs = plot_contours(bowl, levels=5, colors="0.4", log_levels=True)
    assert len(cs.levels) == 5
    np.testing.assert_allclose(cs.get_edgecolor()[:, :3], 0.4)


def test_filled_and_explicit_levels():
    cs = plot_contours(bowl, levels=[0.5, 1, 2, 4], filled=True, colorbar=True)
    assert cs.filled
    np.testing.assert_allclose(cs.levels, [0.5, 1, 2, 4])
    assert len(cs.axes.figure.axes) == 2  # colorbar axes


# --- plot_gradients ------------------------------------------------------------------------
def test_gradients_descent_arrows_point_downhill():
    q = plot_gradients(bowl, bowl_grad, xlim=(-2, 2), ylim=(-2, 2), density=9, descent=True)
    assert isinstance(q, Quiver)
    X, Y = q.X.ravel(), q.Y.ravel()
    U, V = np.asarray(q.U).ravel(), np.asarray(q.V).ravel()
    assert U.size == 81
    g = bowl_grad(np.stack([X, Y], axis=-1))
    np.testing.assert_allclose(U, -g[:, 0])
    np.testing.assert_allclose(V, -g[:, 1])
    assert np.all(np.sign(U[X > 0]) == -1) and np.all(np.sign(V[Y > 0]) == -1)
    assert len(q.axes.collections) >= 2  # contours underneath + arrows


def test_gradients_ascent_and_normalized():
    q = plot_gradients(bowl, bowl_grad, density=7, normalize=True)
    U, V = np.asarray(q.U).ravel(), np.asarray(q.V).ravel()
    norms = np.hypot(U, V)
    at_origin = (q.X.ravel() == 0) & (q.Y.ravel() == 0)
    np.testing.assert_allclose(norms[~at_origin], 1.0)
    assert norms[at_origin] == 0.0  # zero gradient stays zero, no NaN
    assert np.all(U[q.X.ravel() > 0] > 0)  # ascent: away from the minimum


def test_gradients_square_arrow_grid_and_one_call():
    g = CountingF(bowl_grad)
    q = plot_gradients(bowl, g, xlim=(-4, 4), ylim=(-1, 1), density=17)
    assert g.shapes == [(5, 17, 2)]
    assert np.asarray(q.U).size == 85


def test_gradients_uses_problem_grad_and_validates():
    q = plot_gradients(make_problem(), density=5)
    assert np.asarray(q.U).size == 25
    with pytest.raises(TypeError, match="grad_f is required"):
        plot_gradients(bowl)
    with pytest.raises(TypeError, match="vectorized"):
        plot_gradients(bowl, lambda x: np.sum(x, axis=-1))


# --- plot_trajectory -----------------------------------------------------------------------
def test_trajectory_lines_and_markers():
    xs = np.array([[-1.0, 1.0], [-0.5, 0.4], [0.0, 0.1], [0.2, 0.0]])
    path, start, end = plot_trajectory(xs, label="GD")
    np.testing.assert_array_equal(path.get_xydata(), xs)
    np.testing.assert_array_equal(start.get_xydata(), xs[:1])
    np.testing.assert_array_equal(end.get_xydata(), xs[-1:])
    assert path.get_label() == "GD"
    assert start.get_label().startswith("_") and end.get_label().startswith("_")
    assert start.get_markeredgecolor() == path.get_color() == end.get_color()
    handles, labels = path.axes.get_legend_handles_labels()
    assert labels == ["GD"]


def test_trajectories_take_successive_cycle_colors():
    # the start/end markers must not consume colors of the property cycle
    cs = plot_contours(bowl)
    colors = [to_hex(plot_trajectory(np.array([[0.0, 0.0], [1.0, 1.0]]) * (i + 1),
                                     ax=cs.axes)[0].get_color()) for i in range(3)]
    assert colors == [c.lower() for c in PALETTE[:3]]  # the colour-blind-safe cycle


def test_trajectories_differ_by_line_style_and_marker_not_only_colour():
    cs = plot_contours(bowl)
    paths = [plot_trajectory(np.array([[0.0, 0.0], [1.0, 1.0]]) * (i + 1), ax=cs.axes)[0]
             for i in range(3)]
    styles = {(ln.get_linestyle(), ln.get_marker()) for ln in paths}
    assert len(styles) == 3
    assert [ln.get_marker() for ln in paths] == list(MARKERS[:3])
    # an explicit style wins
    (ln, _, _) = plot_trajectory([[0.0, 0.0], [1.0, 1.0]], ax=cs.axes, linestyle=":", marker="x")
    assert (ln.get_linestyle(), ln.get_marker()) == (":", "x")


def test_convergence_methods_differ_by_line_style_and_marker():
    lines = plot_convergence({m: 0.5 ** np.arange(30) * (i + 1) for i, m in enumerate("abcd")})
    assert len({(ln.get_linestyle(), ln.get_marker()) for ln in lines}) == 4
    assert [to_hex(ln.get_color()) for ln in lines] == [c.lower() for c in PALETTE[:4]]
    (ln,) = plot_convergence({"x": np.ones(5)}, ls="--", marker="")
    assert ln.get_linestyle() == "--" and ln.get_marker() == ""


def test_trajectory_accepts_trace_and_drops_diverged_rows():
    trace = types.SimpleNamespace(xs=np.array([[0.0, 0.0], [1.0, 2.0], [np.inf, np.nan]]))
    path, _, end = plot_trajectory(trace)
    assert path.get_xydata().shape == (2, 2)
    np.testing.assert_array_equal(end.get_xydata(), [[1.0, 2.0]])


def test_trajectory_keeps_contour_window_when_path_leaves_it():
    cs = plot_contours(bowl, xlim=(-1, 1), ylim=(-1, 1))
    plot_trajectory([[0.5, 0.5], [5.0, -7.0], [50.0, 80.0]], ax=cs.axes)
    assert cs.axes.get_xlim() == (-1, 1) and cs.axes.get_ylim() == (-1, 1)


def test_several_paths_on_fresh_axes_are_all_visible():
    _, ax = plt.subplots()
    plot_trajectory([[0.0, 0.0], [1.0, 1.0]], ax=ax)
    plot_trajectory([[0.0, 0.0], [-5.0, 8.0]], ax=ax)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= -5 and x1 >= 1 and y0 <= 0 and y1 >= 8


def test_keep_limits_explicit():
    cs = plot_contours(bowl, xlim=(-1, 1), ylim=(-1, 1))
    plot_trajectory([[0.0, 0.0], [3.0, 4.0]], ax=cs.axes, keep_limits=False)
    assert cs.axes.get_xlim()[1] >= 3 and cs.axes.get_ylim()[1] >= 4
    _, ax = plt.subplots()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_autoscale_on(True)
    plot_trajectory([[0.0, 0.0], [3.0, 4.0]], ax=ax, keep_limits=True)
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)


def test_trajectory_thins_markers_but_not_the_line():
    xs = np.cumsum(np.ones((1000, 2)), axis=0)
    path, _, _ = plot_trajectory(xs, max_markers=50)
    assert path.get_xydata().shape == (1000, 2)
    assert path.get_markevery() == 20


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), np.zeros(4), np.zeros((0, 2))])
def test_trajectory_rejects_bad_shapes(bad):
    with pytest.raises(ValueError, match=r"\(k, 2\)"):
        plot_trajectory(bad)


# --- plot_surface --------------------------------------------------------------------------
def test_surface_is_3d_with_data_range():
    surf = plot_surface(lambda x: x[..., 0] ** 2 - x[..., 1] ** 2, resolution=21)
    ax = surf.axes
    assert ax.name == "3d"
    assert ax.get_zlabel() == "$f(x)$"
    zmin, zmax = ax.get_zlim()
    assert zmin <= -4 + 1e-9 and zmax >= 4 - 1e-9
    surf.axes.figure.canvas.draw()  # mplot3d projects the polygons at draw time
    assert len(surf.get_paths()) == 20 * 20  # one quad per grid cell


def test_surface_zlim_clips_and_problem_marks_minimizer():
    surf = plot_surface(make_problem(), zlim=(0, 100), resolution=15)
    assert surf.axes.get_zlim() == (0, 100)
    assert any(ln.get_marker() == "*" for ln in surf.axes.lines)


def test_surface_needs_3d_axes():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="3-D"):
        plot_surface(bowl, ax=ax)


# --- plot_convergence ----------------------------------------------------------------------
def test_convergence_dict_of_traces_and_arrays_on_log_axis():
    xs = np.array([[1.0, 1.0], [0.5, 0.5], [0.1, 0.1]])
    trace = types.SimpleNamespace(xs=xs, fs=bowl(xs) + 2.0,
                                  grad_norms=np.linalg.norm(bowl_grad(xs), axis=1))
    lines = plot_convergence({"GD": trace, "other": np.array([10.0, 5.0, 2.5, 2.1])},
                             f_star=2.0)
    assert [ln.get_label() for ln in lines] == ["GD", "other"]
    ax = lines[0].axes
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(lines[0].get_ydata(), bowl(xs))
    np.testing.assert_allclose(lines[1].get_ydata(), [8.0, 3.0, 0.5, 0.1])
    np.testing.assert_array_equal(lines[1].get_xdata(), [0, 1, 2, 3])
    assert "f^\\star" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GD", "other"]


def test_convergence_grad_norm_and_dist():
    xs = np.array([[3.0, 4.0], [0.0, 0.0]])
    trace = types.SimpleNamespace(xs=xs, fs=np.array([1.0, 0.0]), grad_norms=np.array([2.0, 1.0]))
    (g,) = plot_convergence([trace], kind="grad_norm", labels=["a"])
    np.testing.assert_allclose(g.get_ydata(), [2.0, 1.0])
    (d,) = plot_convergence([trace], kind="dist", x_star=[0.0, 4.0], log=False)
    np.testing.assert_allclose(d.get_ydata(), [3.0, 4.0])
    assert d.axes.get_yscale() == "linear"
    with pytest.raises(ValueError, match="x_star"):
        plot_convergence([trace], kind="dist")


def test_convergence_guards_zeros_and_negatives_on_log_axis():
    (ln,) = plot_convergence([np.array([1.0, 1e-3, 0.0, -1e-17])])
    y = ln.get_ydata()
    assert np.all(y > 0)
    np.testing.assert_allclose(y[2:], np.finfo(float).eps)
    (lin,) = plot_convergence([np.array([1.0, 0.0, -1.0])], log=False)
    np.testing.assert_allclose(lin.get_ydata(), [1.0, 0.0, -1.0])


def test_convergence_validates():
    with pytest.raises(ValueError, match="kind"):
        plot_convergence([np.ones(3)], kind="loss")
    with pytest.raises(ValueError, match="labels"):
        plot_convergence([np.ones(3), np.ones(3)], labels=["one"])
    with pytest.raises(ValueError, match="empty"):
        plot_convergence({})


# --- with the course's real Problems ---------------------------------------------------------
def test_real_problems_plot_with_their_windows():
    from helpers import functions as F

    for make in (F.rosenbrock, F.beale, F.himmelblau, F.exp_sum, F.gaussian_bump, F.saddle,
                 F.multimodal):
        p = make()
        cs = plot_contours(p, levels=12, resolution=60)
        assert cs.axes.get_xlim() == tuple(p.xlim) and cs.axes.get_ylim() == tuple(p.ylim)
        assert len(cs.levels) >= 2
        q = plot_gradients(p, density=6, descent=True)
        assert np.asarray(q.U).size >= 6
        plt.close("all")


def test_global_and_local_minimizers_are_marked_differently():
    from helpers import functions as F

    him = F.himmelblau()  # four global minima, all equal
    ax = plot_contours(him, resolution=60).axes
    gids = {ln.get_gid(): ln for ln in ax.lines}
    assert gids["minimizers"].get_xydata().shape == (4, 2)
    assert "local_minimizers" not in gids
    mm = F.multimodal()
    ax = plot_contours(mm, resolution=60).axes
    gids = {ln.get_gid(): ln for ln in ax.lines}
    np.testing.assert_allclose(gids["minimizers"].get_xydata()[0], mm.minimizers[0])
    assert len(gids["local_minimizers"].get_xydata()) >= 1


def test_rosenbrock_log_levels_and_gd_like_path():
    from helpers import functions as F

    p = F.rosenbrock()
    cs = plot_contours(p, levels=20)
    lv = np.asarray(cs.levels)
    assert np.all(np.diff(np.log(np.diff(lv))) > 0)  # Problem asks for log-spaced levels
    assert lv[0] < 0.1 < 1000 < lv[-1]
    xs = np.array([p.x0, [0.0, 0.0], [0.5, 0.25], [1.0, 1.0]])
    path, start, end = plot_trajectory(xs, ax=cs.axes, label="demo")
    np.testing.assert_array_equal(start.get_xydata()[0], p.x0)


def test_problem_of_wrong_dimension_is_rejected():
    from helpers import functions as F

    with pytest.raises(ValueError, match="2-D"):
        plot_contours(F.quadratic(np.eye(3)))


def test_real_traces_from_the_optimizers():
    from helpers import functions as F
    from helpers import optim as O

    p = F.quadratic(np.array([[2.0, 1.0], [1.0, 20.0]]))
    gd = O.gradient_descent(p.f, p.grad, np.array([-3.0, -1.0]), lr=0.09, tol=1e-8,
                            maxiter=500)
    nt = O.newton(p.f, p.grad, p.hess, np.array([-3.0, -1.0]))
    cs = plot_contours(p)
    path, start, end = plot_trajectory(gd, ax=cs.axes, label="GD")
    assert path.get_xydata().shape == gd.xs.shape
    lines = plot_convergence([gd, nt], f_star=p.fmin)
    assert [ln.get_label() for ln in lines] == [gd.method, nt.method]
    assert lines[0].get_ydata().size == gd.xs.shape[0]
    # Newton solves a quadratic in one step: f - f* hits round-off, clipped above zero
    assert np.all(lines[1].get_ydata() > 0) and lines[1].get_ydata()[-1] < 1e-12
    (dist,) = plot_convergence({"GD": gd}, kind="dist", x_star=p.minimizers[0])
    np.testing.assert_allclose(dist.get_ydata(), np.linalg.norm(gd.xs - p.minimizers[0], axis=1))


@settings(deadline=None, max_examples=40)
@given(
    shift=st.floats(-1e6, 1e6),
    scale=st.floats(1e-3, 1e6),
    n=st.integers(2, 40),
)
def test_log_levels_property(shift, scale, n):
    """Any shift/scale of a valley function: n strictly increasing levels inside the data."""
    def f(x):
        return scale * rosen(x) + shift

    cs = plot_contours(f, xlim=(-2, 2), ylim=(-1, 3), levels=n, log_levels=True, resolution=40)
    lv = np.asarray(cs.levels)
    assert len(lv) == n and np.all(np.diff(lv) > 0)
    assert lv[0] > cs.zmin - 1e-9 * abs(cs.zmin) and np.isclose(lv[-1], cs.zmax)
    plt.close("all")


@settings(deadline=None, max_examples=40)
@given(st.lists(st.floats(-1.0, 1e3, allow_nan=False), min_size=1, max_size=50))
def test_convergence_log_axis_property(values):
    """Whatever the values, a log plot gets strictly positive y of the same length."""
    (ln,) = plot_convergence([np.array(values)])
    y = ln.get_ydata()
    assert y.shape == (len(values),) and np.all(y > 0)
    positive = np.array(values) > 0
    np.testing.assert_array_equal(y[positive] >= np.array(values)[positive], True)
    plt.close("all")


def test_docstring_examples_run():
    result = doctest.testmod(helpers.plotting)
    assert result.attempted > 0 and result.failed == 0


def test_convergence_turns_minor_ticks_off_unless_asked():
    from matplotlib.ticker import NullLocator

    series = {"GD": 0.5 ** np.arange(60)}
    fig, ax = plt.subplots()
    plot_convergence(series, ax=ax)
    assert isinstance(ax.yaxis.get_minor_locator(), NullLocator)
    assert isinstance(ax.xaxis.get_minor_locator(), NullLocator)
    fig2, ax2 = plt.subplots()
    plot_convergence(series, ax=ax2, minor_ticks=True)
    assert not isinstance(ax2.yaxis.get_minor_locator(), NullLocator)  # log axis: LogLocator
    plt.close(fig)
    plt.close(fig2)


def test_every_drawn_artist_is_returned():
    from matplotlib.legend import Legend

    p = helpers.functions.himmelblau()
    cs = plot_contours(p, clabel=True, colorbar=True)
    assert cs.label_texts and cs.colorbar is not None and cs.minimizer_markers
    assert all(m.axes is cs.axes for m in cs.minimizer_markers)
    plain = plot_contours(lambda x: x[..., 0] ** 2 + x[..., 1] ** 2, xlim=(-1, 1), ylim=(-1, 1))
    assert plain.label_texts == [] and plain.minimizer_markers == []
    q = plot_gradients(p, density=4)
    assert isinstance(q.contour_set, QuadContourSet) and q.contour_set.axes is q.axes
    assert plot_gradients(p, density=4, contours=False).contour_set is None
    lines = plot_convergence({"a": 0.5 ** np.arange(10)})
    assert isinstance(lines, list) and isinstance(lines.legend, Legend)
    surf = plot_surface(p)
    assert len(surf.minimizer_markers) == 1
    plt.close("all")

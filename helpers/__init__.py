"""Shared, tested helpers for the course *Continuous Optimization for Machine Learning*.

Lecture notebooks, homework notebooks and the graders import from here, so the public
names below are a contract: add names freely, but do not rename or remove them.

Modules (one job each)
----------------------
gradcheck   finite-difference derivatives and gradient checking
functions   2-D test problems with vectorized ``f``, ``grad``, ``hess``
plotting    contour, quiver, trajectory, surface and convergence plots
animation   ``FuncAnimation`` of optimizer paths, exported as jshtml
widgets     ipywidgets explorers with a static fallback for headless runs
accessibility  figure descriptions (alt text) and the colour-blind-safe palette
schedules   learning-rate schedules
optim       the optimizer engine: one driver loop (``helpers.optim.run``), composable
            update rules, and the reference optimizers returning a :class:`Trace`
optimizers  the reference optimizers (re-exported from ``optim``)
constrained projections, projected gradient, penalty and augmented Lagrangian
preamble    ``setup_notebook(seed)``, the lectures' first-cell defaults in one call
exercises   self-checks for the lectures' "Your turn" exercises (``helpers.exercises.check``)
"""

from .gradcheck import (
    GradientCheckResult,
    assert_gradient,
    check_gradient,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
)
from .functions import (
    LeastSquaresProblem,
    Problem,
    beale,
    exp_sum,
    gaussian_bump,
    himmelblau,
    least_squares,
    multimodal,
    quadratic,
    rosenbrock,
    saddle,
)
from .accessibility import (
    PALETTE,
    describe,
    description_of,
    method_style,
)
from .accessibility import register_display as _register_display
from .accessibility import use_accessible_style as _use_accessible_style
from .plotting import (
    plot_contours,
    plot_convergence,
    plot_gradients,
    plot_surface,
    plot_trajectory,
)
from .animation import TrajectoryAnimation, animate_trajectories, to_html
from .widgets import interactive_plot, static_mode
from .schedules import (
    Schedule,
    constant,
    cosine_annealing,
    exponential_decay,
    inverse_sqrt,
    linear_warmup,
    step_decay,
)
from . import optim
from .optim import (
    Race,
    Trace,
    adagrad,
    adam,
    adamw,
    amsgrad,
    bfgs,
    gauss_newton,
    gradient_descent,
    hill_climbing,
    lbfgs,
    momentum,
    nesterov,
    newton,
    random_search,
    rmsprop,
    sgd,
)
from .constrained import (
    augmented_lagrangian,
    penalty_method,
    project_ball,
    project_box,
    project_simplex,
    projected_gradient_descent,
)
from .optim import race
from .preamble import setup_notebook
from . import exercises, optimizers

_use_accessible_style()  # Okabe-Ito colour cycle, set once for every notebook
_register_display()  # figures displayed in IPython carry their description (alt text)

__all__ = [name for name in dir() if not name.startswith("_")]
__version__ = "0.1.0"

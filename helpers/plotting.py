"""STUB: being implemented; replace this whole file."""


def plot_contours(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('plot_contours')


def plot_convergence(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('plot_convergence')


def plot_gradients(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('plot_gradients')


def plot_surface(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('plot_surface')


def plot_trajectory(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('plot_trajectory')

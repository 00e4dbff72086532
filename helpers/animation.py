"""STUB: being implemented; replace this whole file."""


def animate_trajectories(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('animate_trajectories')


def to_html(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('to_html')

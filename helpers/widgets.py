"""STUB: being implemented; replace this whole file."""


def interactive_plot(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('interactive_plot')


def static_mode(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('static_mode')

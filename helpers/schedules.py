"""STUB: being implemented; replace this whole file."""


def constant(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('constant')


def cosine_annealing(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('cosine_annealing')


def exponential_decay(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('exponential_decay')


def inverse_sqrt(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('inverse_sqrt')


def linear_warmup(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('linear_warmup')


def step_decay(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('step_decay')

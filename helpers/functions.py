"""STUB: being implemented; replace this whole file."""


def Problem(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('Problem')


def beale(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('beale')


def exp_sum(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('exp_sum')


def gaussian_bump(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('gaussian_bump')


def himmelblau(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('himmelblau')


def least_squares(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('least_squares')


def multimodal(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('multimodal')


def quadratic(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('quadratic')


def rosenbrock(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('rosenbrock')


def saddle(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('saddle')

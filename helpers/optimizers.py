"""STUB: being implemented; replace this whole file."""


def Trace(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('Trace')


def adagrad(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('adagrad')


def adam(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('adam')


def adamw(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('adamw')


def amsgrad(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('amsgrad')


def bfgs(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('bfgs')


def gauss_newton(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('gauss_newton')


def gradient_descent(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('gradient_descent')


def hill_climbing(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('hill_climbing')


def lbfgs(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('lbfgs')


def momentum(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('momentum')


def nesterov(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('nesterov')


def newton(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('newton')


def random_search(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('random_search')


def rmsprop(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('rmsprop')


def sgd(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('sgd')

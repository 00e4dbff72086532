"""STUB: being implemented; replace this whole file."""


def GradientCheckResult(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('GradientCheckResult')


def assert_gradient(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('assert_gradient')


def check_gradient(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('check_gradient')


def check_numerical_jacobian(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('check_numerical_jacobian')


def numerical_gradient(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('numerical_gradient')


def numerical_hessian(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('numerical_hessian')


def numerical_jacobian(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('numerical_jacobian')

"""STUB: being implemented; replace this whole file."""


def augmented_lagrangian(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('augmented_lagrangian')


def penalty_method(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('penalty_method')


def project_ball(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('project_ball')


def project_box(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('project_box')


def project_simplex(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('project_simplex')


def projected_gradient_descent(*args, **kwargs):  # pragma: no cover
    raise NotImplementedError('projected_gradient_descent')

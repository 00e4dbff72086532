"""A partial submission: f, grad_f and grad_logistic right (written differently from the
solution), hessian_f with a sign error, the other answers left as fetched (the hand-graded
analysis stays ungraded). Scores 5 + 10 + 15 = 30."""

BASE = "stub"
ANSWERS = {
    "f": '''def f(x):
    x = np.asarray(x, dtype=float)
    x1, x2 = x[..., 0], x[..., 1]
    return 0.06 * np.exp(2 * x1 + x2) + 0.05 * np.exp(x1 - 2 * x2) + np.exp(-x1)
''',
    "grad_f": '''def grad_f(x):
    x = np.asarray(x, dtype=float)
    x1, x2 = x[..., 0], x[..., 1]
    a, b, c = 0.06 * np.exp(2 * x1 + x2), 0.05 * np.exp(x1 - 2 * x2), np.exp(-x1)
    return np.stack([2 * a + b - c, a - 2 * b], axis=-1)
''',
    "hessian_f": '''def hessian_f(x):
    x = np.asarray(x, dtype=float)
    x1, x2 = x[..., 0], x[..., 1]
    a, b, c = 0.06 * np.exp(2 * x1 + x2), 0.05 * np.exp(x1 - 2 * x2), np.exp(-x1)
    row1 = np.stack([4 * a + b - c, 2 * a - 2 * b], axis=-1)  # sign error: + c
    row2 = np.stack([2 * a - 2 * b, a + 4 * b], axis=-1)
    return np.stack([row1, row2], axis=-2)
''',
    "grad_logistic": '''def grad_logistic(w, X, y):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    margins = np.einsum("...i,mi->...m", np.asarray(w, dtype=float), X) * y
    weights = -y * np.exp(-np.logaddexp(margins, 0.0))  # -y sigma(-margin), stable
    return np.einsum("...m,mi->...i", weights, X) / len(y)
''',
}
SCORE = 30

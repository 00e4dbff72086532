"""A partial submission: f, grad_f and dT_dt right (written differently from the solution),
hessian_f with a sign error, the other three answers left as fetched. Scores 10 + 15 + 15 = 40."""

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
    "dT_dt": '''def dT_dt(t):
    t = np.asarray(t, dtype=float)
    return 1 + 2 * (t**2 - t + 0.25) * (2 * t - 1)
''',
}
SCORE = 40

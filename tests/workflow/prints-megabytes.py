"""Debug printing: the answer cell of f prints about 1 MB once (a leftover debug loop after a
correct definition: test_f keeps its points, output volume is not graded); grad_logistic
prints without end (its test times out and scores 0). The autograded notebook stays small
(LimitOutput keeps the first lines of each output)."""

BASE = "solution"
ANSWERS = {
    "f": '''def f(x):
    x = np.asarray(x, dtype=float)
    return 0.06 * np.exp(x @ [2.0, 1.0]) + 0.05 * np.exp(x @ [1.0, -2.0]) + np.exp(-x[..., 0])


for i in range(10_000):
    print("debug: f at step", i, "is", f(np.zeros(2)), "." * 60)
''',
    "grad_logistic": '''def grad_logistic(w, X, y):
    while True:
        print("still thinking about", w, "-" * 200)
''',
}
ZERO = ["test_grad_logistic"]
TIMEOUT = 5
MAX_NOTEBOOK_BYTES = 1_000_000

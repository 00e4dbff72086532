"""grad_logistic asks for input(). The grader's kernel has no stdin, so input() raises
StdinNotImplementedError at once instead of waiting for ever: its test cell scores 0."""

BASE = "solution"
ANSWERS = {
    "grad_logistic": '''def grad_logistic(w, X, y):
    answer = input("gradient = ? ")
    return float(answer) * np.ones_like(np.asarray(w, dtype=float))
''',
}
ZERO = ["test_grad_logistic"]

"""grad_logistic never returns (an infinite loop): its test cell is interrupted after the
per-cell timeout and scores 0; every other cell is graded."""

BASE = "solution"
ANSWERS = {
    "grad_logistic": '''def grad_logistic(w, X, y):
    total = 0.0
    while True:
        total += 1.0
''',
}
ZERO = ["test_grad_logistic"]
TIMEOUT = 5

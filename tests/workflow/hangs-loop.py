"""dT_dt never returns (an infinite loop): its test cell is interrupted after the per-cell
timeout and scores 0; every other cell is graded."""

BASE = "solution"
ANSWERS = {
    "dT_dt": '''def dT_dt(t):
    total = 0.0
    while True:
        total += t
''',
}
ZERO = ["test_dT_dt"]
TIMEOUT = 5

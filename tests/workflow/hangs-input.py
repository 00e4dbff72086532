"""dT_dt asks for input(). The grader's kernel has no stdin, so input() raises
StdinNotImplementedError at once instead of waiting for ever: its test cell scores 0."""

BASE = "solution"
ANSWERS = {
    "dT_dt": '''def dT_dt(t):
    answer = input("dT/dt = ? ")
    return float(answer)
''',
}
ZERO = ["test_dT_dt"]

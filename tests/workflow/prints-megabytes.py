"""Debug printing: f prints about 2 MB on every call but returns the right values (its test
keeps its points: output volume is not graded); dT_dt prints without end (its test times out
and scores 0). The autograded notebook stays small (LimitOutput keeps the first lines)."""

BASE = "solution"
ANSWERS = {
    "f": '''def f(x):
    for i in range(20_000):
        print("debug: evaluating f, step", i, "." * 80)
    x = np.asarray(x, dtype=float)
    return 0.06 * np.exp(x @ [2.0, 1.0]) + 0.05 * np.exp(x @ [1.0, -2.0]) + np.exp(-x[..., 0])
''',
    "dT_dt": '''def dT_dt(t):
    while True:
        print("still thinking about", t, "-" * 200)
''',
}
ZERO = ["test_dT_dt"]
TIMEOUT = 5
MAX_NOTEBOOK_BYTES = 1_000_000

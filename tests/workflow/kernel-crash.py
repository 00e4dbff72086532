"""directional_derivative kills the kernel (os.kill(os.getpid(), 9), like a segfault or the
out-of-memory killer). nbgrader alone gives up on the whole submission; with
coursetools.classroom_execute.ResilientExecute the test cell scores 0, a new kernel re-runs the
cells before it, and the rest is graded."""

BASE = "solution"
ANSWERS = {
    "directional_derivative": '''import os


def directional_derivative(grad_f, x, u):
    os.kill(os.getpid(), 9)
''',
}
ZERO = ["test_directional_derivative"]

"""hessian_f calls sys.exit(): IPython turns it into a SystemExit error in the test cell that
calls it (the kernel lives on); that cell scores 0, the rest is graded."""

BASE = "solution"
ANSWERS = {
    "hessian_f": '''import sys


def hessian_f(x):
    sys.exit("I give up on the Hessian")
''',
}
ZERO = ["test_hessian_f"]

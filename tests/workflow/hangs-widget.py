"""hessian_logistic shows a slider and waits for somebody to move it: without a front end nobody
does, so the test cell that calls it times out and scores 0."""

BASE = "solution"
ANSWERS = {
    "hessian_logistic": '''import time

import ipywidgets as widgets


def hessian_logistic(w, X, y):
    slider = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, description="scale")
    display(slider)
    while slider.value == 0.0:  # waits for the user to move the slider
        time.sleep(0.05)
    return slider.value * np.eye(np.shape(X)[-1])
''',
}
ZERO = ["test_hessian_logistic"]
TIMEOUT = 5

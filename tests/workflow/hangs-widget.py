"""polar_jacobian shows a slider and waits for somebody to move it: without a front end nobody
does, so the test cell that calls it times out and scores 0."""

BASE = "solution"
ANSWERS = {
    "polar_jacobian": '''import time

import ipywidgets as widgets


def polar_jacobian(r, theta):
    slider = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, description="scale")
    display(slider)
    while slider.value == 0.0:  # waits for the user to move the slider
        time.sleep(0.05)
    return slider.value * np.eye(2)
''',
}
ZERO = ["test_polar_jacobian"]
TIMEOUT = 5

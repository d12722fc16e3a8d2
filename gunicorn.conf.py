"""gunicorn settings, read from the working directory by ``gunicorn fugong.wsgi``."""

import gc


def post_fork(server, worker):
    # The application is imported before the fork: freeze those objects out of the collector's
    # scans, and collect the young generation less often — a request makes thousands of
    # short-lived objects (bench/checkins.py: about 5 % more check-ins per second).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)

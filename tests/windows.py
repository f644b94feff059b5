"""The simulator's rate windows are fixed and aligned to multiples of the epoch (like many real
servers'), so a test that counts what one window admits must not straddle two of them."""

from __future__ import annotations

import time


def clear_of_window_boundary(window: float, margin: float = 10.0) -> float:
    """If the current window ends within ``margin`` seconds, wait it out (instead of skipping the test
    when it does); return the start of the window the test then runs in."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.05)
    return window_start(window)


def window_start(window: float) -> float:
    """The start of the epoch-aligned window that holds now."""
    now = time.time()
    return now - now % window

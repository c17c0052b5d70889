"""Score calibration: isotonic fit, ECE, and the detector applying the stored table."""

from itertools import pairwise

import numpy as np

from proplens.training.calibration import expected_calibration_error, fit_isotonic


def test_isotonic_fit_is_monotone_and_recovers_a_known_curve():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 4000)
    truth = x**2  # raw scores overstate: P(right | score s) = s^2
    y = (rng.uniform(0, 1, len(x)) < truth).astype(float)
    kx, ky = fit_isotonic(x, y)
    assert all(b >= a for a, b in pairwise(ky)) and kx[0] == 0.0 and kx[-1] == 1.0
    for s in (0.2, 0.5, 0.8):
        assert abs(np.interp(s, kx, ky) - s**2) < 0.08
    cal = np.interp(x, kx, ky)
    assert expected_calibration_error(cal, y) < expected_calibration_error(x, y) / 3


def test_ece_of_perfect_and_of_overconfident_scores():
    p = np.array([0.9] * 10 + [0.1] * 10)
    y = np.array([1] * 9 + [0] + [0] * 9 + [1], dtype=float)
    assert expected_calibration_error(p, y) < 1e-9
    assert abs(expected_calibration_error(np.full(10, 0.9), np.zeros(10)) - 0.9) < 1e-9
    assert expected_calibration_error(np.zeros(0), np.zeros(0)) == 0.0


def test_detector_applies_the_table():
    from proplens.model.detector import Detector

    det = Detector(None, None, {}, calibration=([0.0, 0.5, 1.0], [0.0, 0.2, 0.9]))  # type: ignore[arg-type]
    assert abs(det.calibrate(0.25) - 0.1) < 1e-9 and abs(det.calibrate(0.75) - 0.55) < 1e-9
    assert Detector(None, None, {}).calibrate(0.3) == 0.3  # type: ignore[arg-type]

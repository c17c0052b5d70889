"""The distillation loss weights gold labels per window (needs torch; skipped without the [train] extra)."""

import pytest

torch = pytest.importorskip("torch", reason="training tests need pip install '.[train]'")

from proplens.training.train import _gold_weights, _weighted_bio_loss  # noqa: E402


def _batch():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(3, 6, 3, generator=g)
    bio = torch.tensor([[-100, 0, 1, 2, 0, -100], [-100, 0, 0, 0, -100, -100], [-100] * 6])
    return logits, bio


def test_equals_class_weighted_cross_entropy_when_all_windows_weigh_one():
    logits, bio = _batch()
    w = torch.tensor([1.0, 2.0, 1.5])
    expected = torch.nn.CrossEntropyLoss(weight=w, ignore_index=-100)(logits.reshape(-1, 3), bio.reshape(-1))
    assert torch.isclose(_weighted_bio_loss(logits, bio, torch.ones(3), w), expected, atol=1e-6)


def test_window_weight_scales_only_its_own_tokens():
    logits, bio = _batch()
    full = _weighted_bio_loss(logits, bio, torch.ones(3), None)
    no_second = _weighted_bio_loss(logits, bio, torch.tensor([1.0, 0.0, 1.0]), None)
    only_first = torch.nn.functional.cross_entropy(logits[0, 1:5], bio[0, 1:5], reduction="sum") / 7
    assert torch.isclose(no_second, only_first, atol=1e-6)
    assert no_second < full


def test_gold_weight_drops_only_in_windows_with_teacher_targets():
    s_mask = torch.tensor([[0.0, 1, 1, 0], [0, 0, 0, 0]])
    soft = (torch.zeros(2, 4, 3), torch.zeros(2, 4, 14), s_mask)
    assert _gold_weights(soft, 0.75, 2).tolist() == [0.25, 1.0]
    assert _gold_weights(None, 0.75, 2).tolist() == [1.0, 1.0]


def test_all_ignored_tokens_give_zero_loss():
    logits, _ = _batch()
    assert _weighted_bio_loss(logits, torch.full((3, 6), -100), torch.ones(3), None).item() == 0.0

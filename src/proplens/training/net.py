"""The torch network: a pretrained encoder (MiniLM or MPNet) + BIO span head + per-token technique head
+ span classifier."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..model.features import N_SPAN_FEATURES
from .encoders import encoder_path


def base_encoder_path(name: str = "minilm", *, verify: bool = True) -> Path:
    """Path of a base encoder's Hugging Face folder (see :mod:`proplens.training.encoders`)."""
    return encoder_path(name, verify=verify)


class PropagandaNet(nn.Module):
    """Encoder with three heads sharing one pass.

    ``forward`` returns (hidden, bio_logits, tech_logits); ``span_logits`` classifies spans from
    hidden states with the same feature recipe as :meth:`proplens.model.detector.Detector.span_features`.
    """

    def __init__(
        self, encoder: nn.Module, n_techniques: int = 14, span_hidden: int = 256, dropout: float = 0.1
    ):
        super().__init__()
        self.encoder = encoder
        H = int(encoder.config.hidden_size)  # type: ignore[union-attr,arg-type]  # a transformers PreTrainedModel
        self.bio = nn.Linear(H, 3)
        self.tech = nn.Linear(H, n_techniques)
        self.span1 = nn.Linear(4 * H + N_SPAN_FEATURES, span_hidden)
        self.span2 = nn.Linear(span_hidden, n_techniques)
        self.drop = nn.Dropout(dropout)

    @classmethod
    def from_base(cls, path: str | Path | None = None, *, config_only: bool = False, **kw) -> PropagandaNet:
        from transformers import AutoConfig, AutoModel

        path = Path(path) if path else base_encoder_path()
        if config_only:
            enc = AutoModel.from_config(AutoConfig.from_pretrained(path))
        else:
            enc = AutoModel.from_pretrained(path)
        return cls(enc, **kw)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        h = self.drop(hidden)
        return hidden, self.bio(h), self.tech(h)

    def span_logits(self, feats: torch.Tensor) -> torch.Tensor:
        return self.span2(self.drop(torch.tanh(self.span1(self.drop(feats)))))

    def span_head_numpy(self) -> dict:
        return {
            "w1": self.span1.weight.detach().cpu().numpy(),
            "b1": self.span1.bias.detach().cpu().numpy(),
            "w2": self.span2.weight.detach().cpu().numpy(),
            "b2": self.span2.bias.detach().cpu().numpy(),
        }


class EncoderOnly(nn.Module):
    """What is exported to ONNX: (input_ids, attention_mask) -> (hidden, bio_logits, tech_logits)."""

    def __init__(self, net: PropagandaNet):
        super().__init__()
        self.net = net

    def forward(self, input_ids, attention_mask):
        return self.net(input_ids, attention_mask)

"""Training (needs the ``[train]`` extra: torch, transformers and the base encoder package)."""

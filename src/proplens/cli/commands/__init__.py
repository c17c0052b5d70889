"""One module per command group; each defines ``register(app)``. The list lives in ``cli/app.py``."""

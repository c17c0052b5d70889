"""The ``proplens`` command line (Typer + rich): thin commands over the Python API."""

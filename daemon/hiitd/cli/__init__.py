"""The command line: one module per command group (``*_cmd.py``), the parser in ``main.py``."""

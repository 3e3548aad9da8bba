"""The running daemon: the composition root (``daemon.py``) and its long-running services."""

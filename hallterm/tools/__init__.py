"""Developer tools run with ``python -m hallterm.tools.<name>`` (not needed by users)."""

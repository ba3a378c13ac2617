"""HallTerm: the terminal application that runs a telecom operator's service hall (营业厅).

The core package: settings, store, models, domain services and the CLI. It never
imports Textual; the ``screens`` package holds the app.
"""

__version__ = "0.1.0"

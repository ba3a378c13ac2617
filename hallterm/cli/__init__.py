"""The Typer CLI: one module per command group, joined in ``main``.

Heavy imports (SQLModel, Textual) happen inside commands, so ``hallterm --help``
stays fast.
"""

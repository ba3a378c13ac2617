"""Post screens (one module per post); each registers itself with ``screens.registry``."""

"""Pure graph algorithms over a read-only view."""

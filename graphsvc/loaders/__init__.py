"""Dataset folders into the store, and the demo dataset generator."""

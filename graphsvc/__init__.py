"""graphsvc: the graph behind the S&T commissioners programme."""

__version__ = "0.1.0"

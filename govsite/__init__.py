"""govsite: supervision of China's government websites."""

__version__ = "0.1.0"

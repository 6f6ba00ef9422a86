"""paralift: turn sequential numeric kernels into verified parallel code."""

__version__ = "0.1.0"

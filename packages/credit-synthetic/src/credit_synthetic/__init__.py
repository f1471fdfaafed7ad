"""Synthetic data in the Home Credit layout, at any scale: a tool of the trainer and the tests,
never shipped in a service image."""

from credit_synthetic.generator import generate

__all__ = ["generate"]

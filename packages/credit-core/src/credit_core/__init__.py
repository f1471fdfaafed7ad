"""bank-scoring's shared domain library: raw schema, data loading, synthetic data, features."""

__version__ = "0.1.0"

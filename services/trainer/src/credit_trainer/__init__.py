"""bank-scoring trainer: turns a folder of raw Home Credit tables into features (and, next, models)."""

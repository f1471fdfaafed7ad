"""bank-scoring explainer service."""

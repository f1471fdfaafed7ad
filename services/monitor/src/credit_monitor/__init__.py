"""bank-scoring drift monitor."""

"""bank-scoring scoring API: the champion model over REST, every prediction logged."""

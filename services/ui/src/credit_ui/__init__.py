"""bank-scoring dashboard (Streamlit)."""

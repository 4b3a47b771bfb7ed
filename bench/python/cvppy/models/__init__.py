"""One module per execution model, as src/models/; their facts in one registry (registry.py)."""

"""Input adapters: each turns one kind of file into the one document model, xxgk.model.Document."""

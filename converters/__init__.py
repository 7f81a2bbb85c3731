"""Input adapters: each turns one kind of file into converters.model.Document."""
from converters.model import Cell, ConversionError, Document, Paragraph, Source, Table

__all__ = ["Cell", "ConversionError", "Document", "Paragraph", "Source", "Table"]

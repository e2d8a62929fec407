"""Semantic schema: properties, categories, forms, navigation and page definitions (package data)."""

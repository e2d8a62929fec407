"""Wikitext of the templates deployed to the wiki (package data)."""

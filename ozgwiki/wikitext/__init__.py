"""ozgwiki.wikitext: reading and editing page text: lossless parse, the bot's template parameters and marked
sections, the opt-out, key extraction and the one escaper. Pure.

Layer rules: docs/architecture.md (enforced by tests/unit/test_layers.py).
"""

"""ozgwiki: bots that keep a (Semantic) MediaWiki on the OZG roll-out in NRW current.

Data flows one way: catalogue / page text -> model -> rendered wikitext -> wiki. The pure parts
(parsing, checking keys, rendering) know nothing about HTTP; the site client in :mod:`ozgwiki.wiki.site`
is the only module that talks to a wiki, and its save choke point is the only way to write.
"""

__version__ = "0.1.0"

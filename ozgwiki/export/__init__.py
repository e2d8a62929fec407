"""``ozgwiki export``: the validated data out of the wiki, as CSV, JSON and an SVG roadmap.

Other systems (KDN's database, portals, the Land) get the data as the wiki carries it over: read from
the wiki's pages, so editors' pages count, with only the LeiKa keys that are valid there. The layer is
split the usual way -- I/O at the edges, pure functions in the middle:

* :mod:`~ozgwiki.export.reading` -- the pages of each template, read through the site client's named
  listings (no raw queries);
* :mod:`~ozgwiki.export.records` -- page texts -> records (pure): the datasets, their columns, the
  key rule (the wiki's own LeiKa pages decide which keys count);
* :mod:`~ozgwiki.export.formats` -- records -> CSV bytes a German spreadsheet opens, and one JSON
  document (pure; schema in ``docs/export.schema.json``);
* :mod:`~ozgwiki.export.roadmap` -- the roadmap's month grid (:func:`ozgwiki.render.gantt.grid`) ->
  an SVG picture for slides (pure);
* :mod:`~ozgwiki.export.run` -- the whole export into a folder, each file written atomically.

docs/export.md describes every file and column.
"""

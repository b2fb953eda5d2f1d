"""Page-level reads: everything one dashboard page shows, in a fixed number of queries.

One module per page. Each ``*_page`` function takes the page's parameters (as-of date, filters)
and returns a plain dict for the template: tables (``dashboards.tables.Table``, also what the
CSV / Excel downloads serve), charts (Plotly figures as JSON data, from ``dashboards.charts``)
and a few headline facts. Status is computed live with the pure progress module for the as-of
date of the URL (``common.status_frame``); stored ``ProgressResult`` rows are read only for the
history of the status.

Queries are whole-set ``.values()`` reads (through ``targets.selectors`` where one exists); no
per-row queries, no ORM in templates.
"""

"""The metrics of PRODUCT.md, each implemented once and used by every surface (/show, /stats, /report, the digest
and its chart, the PDF review, CSV exports, Slack's App Home, goals and the funnel).

Every function takes the activities (plan items, surveys) already selected for a scope — which activities are
in scope is :mod:`storage.scope`'s business, not a metric's. One module per concern:

- :mod:`.activity` — reach and engagement of one activity;
- :mod:`.totals` — counts by kind and summed figures of many;
- :mod:`.cost` — cost per contact, per currency, with its basis;
- :mod:`.plan` — plan fulfilment up to a day;
- :mod:`.scores` — rating and NPS: the community's votes and the results typed in (``rating=``, ``nps=``);
- :mod:`.hiring` — hiring influence from the new-hire survey;
- :mod:`.windows` — a period, "so far" while it runs, and the same span of the previous one;
- :mod:`.shares` — ratios and changes; :mod:`.rounding` — half-up rounding for display;
- :mod:`.period` — all of the above for one window of a scope.
"""

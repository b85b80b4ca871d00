"""Community feedback, one module per concern:

- :mod:`~storage.feedback.scales` — the rating (1-5) and NPS (0-10) scales a card collects on;
- :mod:`~storage.feedback.emoji_map` — the team's emoji → score map;
- :mod:`~storage.feedback.cards` — the emoji cards and polls the bot posts, found by message or poll id;
- :mod:`~storage.feedback.votes` — one vote per voter per card, and anonymous tallies;
- :mod:`~storage.feedback.results` — rating and NPS over a period or an activity;
- :mod:`~storage.feedback.survey` — the new-hire survey and its hiring-influence counts;
- :mod:`~storage.feedback.merge` — a merged team's feedback moving along with it.
"""

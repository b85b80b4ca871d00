"""The team's community (the people around the DevRel team, not the team itself), one module per concern:

- :mod:`~storage.community.members` — community members and their interactions (reactions, named poll answers,
  attendance, talks), recorded in the transaction that records the vote;
- :mod:`~storage.community.orbit` — engagement scores with decay and orbit levels (pure functions);
- :mod:`~storage.community.summary` — a period's community figures against the previous period, and one profile;
- :mod:`~storage.community.forget` — ``/forget me``: a person's identity erased, their votes kept as counts.
"""

from __future__ import annotations

from tests.helpers import say, text_of


def test_talks_counts_each_talk_given_again_as_reuse(router):
    say(router, '/log talk "Scaling Postgres" @ HighLoad++ 2026-05-20')
    say(router, '/log talk "scaling  postgres!" @ PGConf 2026-09-01')  # same talk, typed differently
    say(router, '/log talk "Scaling Postgres" @ DevConf 2026-12-15')  # planned
    say(router, '/log talk "Kafka at scale" @ JPoint 2026-10-10')
    say(router, '/log post "Scaling Postgres" @ Habr 2026-10-10')  # not a talk

    text = text_of(say(router, "/talks"))

    assert "Scaling Postgres — given 2 times (last 2026-09-01, 1 planned)" in text
    assert "Kafka at scale — given 1 time (last 2026-10-10)" in text
    assert text.index("Scaling Postgres") < text.index("Kafka at scale")


def test_talks_with_none_logged(router):
    assert "No talks logged yet" in text_of(say(router, "/talks"))

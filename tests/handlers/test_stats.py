from __future__ import annotations

from tests.helpers import say, text_of


def test_stats_month_against_the_previous_month_by_hand(router):
    # October (previous): one talk, reach 200, 10 contacts for $500.
    say(router, '/log talk "T1" @ Conf 2026-10-05 audience=200 contacts=10 cost=500usd')
    # November (current): two talks and a post; a planned item and a cancelled one do not count.
    say(router, '/log talk "T2" @ Conf 2026-11-02 audience=300 contacts=20 cost=1000usd')
    say(router, '/log talk "T3" @ Conf 2026-11-20 audience=100 contacts=5')
    say(router, '/log post "P1" @ Blog 2026-11-10 views=1000 likes=30 shares=5 comments=15')
    say(router, '/log talk "Future" @ Conf 2026-11-29 audience=999')
    say(router, '/log talk "Dropped" @ Conf 2026-11-03 audience=999 status=cancelled')

    text = text_of(say(router, "/stats month"))

    # The 26th: November so far against the same days of October.
    assert ("Stats for this month so far (2026-11-01 – 2026-11-26), against the same days of the previous month "
            "(2026-10-01 – 2026-10-26)") in text
    assert "• talk: 2 (+100%)" in text
    assert "• publication: 1 (new)" in text
    assert "• reach: 1,400 (+600%)" in text  # 300 + 100 + 1000 against 200
    assert "• engagement: 50 (new)" in text
    assert "• contacts: 25 (+150%)" in text
    # Cost per contact: $1000 over the 20 contacts of what it was spent on (T3's 5 have no cost), against
    # $500 / 10.
    assert "• cost per contact: $50.00 (on 20 of 25 contacts with a cost) (was $50.00)" in text


def test_stats_week_is_monday_to_sunday_and_so_far_against_the_same_days(router):
    say(router, '/log talk "Mon" @ Conf 2026-11-23 audience=10')
    say(router, '/log talk "Prev Mon" @ Conf 2026-11-16 audience=20')
    say(router, '/log talk "Prev Sun" @ Conf 2026-11-22 audience=500')  # after the same span (Mon–Thu)
    text = text_of(say(router, "/stats"))
    assert "this week so far (2026-11-23 – 2026-11-26)" in text
    assert "the same days of the previous week (2026-11-16 – 2026-11-19)" in text
    assert "• reach: 10 (-50%)" in text


def test_stats_with_nothing_and_with_a_bad_period(router):
    assert "Nothing done in these periods yet" in text_of(say(router, "/stats quarter"))
    bad = say(router, "/stats year")
    assert bad.is_error and "year" in text_of(bad) and "Example: /stats month" in text_of(bad)

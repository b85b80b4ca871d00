"""/report: the digest on demand for a week, month or quarter, this one or the last."""

from __future__ import annotations

from handlers.markup import to_plain
from tests.helpers import incoming, say


def test_report_month_so_far_with_a_monthly_quarter_chart(router):
    say(router, '/log talk "T" @ Conf 2026-11-16 audience=10')
    replies = router.dispatch(incoming("/report month"))
    # The 26th: November so far, against the same days of October.
    assert ("Monthly report so far, 2026-11-01 – 2026-11-26\n"
            "Against the same days of the previous month (2026-10-01 – 2026-10-26)") in to_plain(replies[0].text)
    assert replies[-1].image is not None
    last = router.dispatch(incoming("/report last quarter"))
    assert "Quarterly report, 2026-07-01 – 2026-09-30" in to_plain(last[0].text)
    assert "so far" not in to_plain(last[0].text)
    bad = say(router, "/report year")
    assert bad.is_error and "Example: /report month" in to_plain(bad.text)

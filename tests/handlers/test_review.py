"""/report quarter pdf: the quarterly review as a PDF file whose pages and text layer say what they should."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.helpers import incoming, say, text_of


def _pdf_pages(reply) -> list[str]:
    assert reply.document is not None and reply.document.mime_type == "application/pdf"
    reader = PdfReader(io.BytesIO(reply.document.content))
    return [page.extract_text() for page in reader.pages]


def test_the_quarterly_review_has_its_pages_and_the_headline_figures_in_its_text(router):
    say(router, "/goal quarter talks=12 reach=500k")
    say(router, '/log talk "Go at scale" @ Conf 2026-10-05 audience=400 contacts=40 target_actions=10 hires=1')
    say(router, '/log post "Join us" @ Blog 2026-11-02 views=27600 contacts=60 target_actions=20')

    [reply] = router.dispatch(incoming("/report quarter pdf"))

    assert "quarterly review, Q4 2026" in text_of(reply)
    assert reply.document.filename == "review-2026-Q4.pdf"
    pages = _pdf_pages(reply)
    assert len(pages) == 5
    for page, heading in zip(pages, ("Headline figures", "Goals", "Hiring funnel", "Reach", "Top activities"),
                             strict=True):
        assert heading in page, (heading, page[:200])
    headline = pages[0]
    # The quarter so far: 2 activities, reach 400 + 27,600 = 28K, 100 contacts, 1 hire.
    for figure in ("Activities", "2", "Reach", "28K", "Contacts", "100", "Hires", "Q4 2026 goal: 6% · behind"):
        assert figure in headline, figure
    assert "1 of 12 talks · 8% · behind" in pages[1]
    assert "reach 28,000 of 500,000 · 6% · behind" in pages[1]
    assert "hires: 1 (3.3% of target actions)" in pages[2]  # 1 of 10 + 20
    assert "1. publication #2 Join us" in pages[4] and "2. talk #1 Go at scale" in pages[4]


def test_only_a_quarter_has_a_pdf_review(router):
    say(router, '/log talk "T" @ Conf 2026-11-05 audience=10')
    bad = say(router, "/report month pdf")
    assert bad.is_error and "/report quarter pdf" in text_of(bad) and bad.document is None

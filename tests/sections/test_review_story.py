"""The review's story: quiet customers told from slower ones."""

from retainkit import alerts as a
from retainkit.sections import review_story
from tests.alerts.conftest import _orders


def test_review_story_tells_quiet_from_slower_customers():
    # a bought on 1 Aug, 1 Sep, 1 Nov, 1 Dec: gaps 31, 61, 30, usual (median) 31 days; on
    # 31 Dec, 30 days since: not yet quiet, still buying
    frame = _orders("a", ["2024-08-01", "2024-09-01", "2024-11-01", "2024-12-01"], 50.0)
    review = a.monthly_review(
        frame, as_of="2024-12-31", thresholds=a.ReviewThresholds(min_orders=2)
    )
    text = review_story(review).data
    assert "Of them, 0 have gone quiet for at least their usual gap; 1 is still buying" in text
    assert "knows no seasons" in text

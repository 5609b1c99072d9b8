import pandas as pd

from retainkit.quality import QualityReport
from retainkit.schema import ColumnMapping


def _report(**kw):
    base = dict(
        source="x.csv",
        rows_read=10,
        rows_kept=7,
        dropped={"missing customer id": 2, "exact duplicate": 1},
        revenue_read=100.0,
        revenue_kept=85.0,
        revenue_dropped={"missing customer id": 10.0, "exact duplicate": 5.0},
        return_rows=1,
        return_revenue=-4.0,
        customers=3,
        first_date=pd.Timestamp("2024-01-01"),
        last_date=pd.Timestamp("2024-02-01"),
        mapping=ColumnMapping({"customer_id": "c"}),
        notes=("a <note>",),
    )
    base.update(kw)
    return QualityReport(**base)


def test_to_frame_lists_every_step_with_shares():
    frame = _report().to_frame()
    assert frame["step"].tolist() == [
        "rows read",
        "dropped: missing customer id",
        "dropped: exact duplicate",
        "rows kept",
        "of which returns/cancellations (netted)",
    ]
    assert frame["rows"].tolist() == [10, 2, 1, 7, 1]
    assert frame["share_of_rows"].tolist() == [1.0, 0.2, 0.1, 0.7, 0.1]
    assert frame["revenue"].tolist() == [100.0, 10.0, 5.0, 85.0, -4.0]


def test_html_escapes_source_and_notes():
    html = _report(source="<script>x</script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "a &lt;note&gt;" in html


def test_frame_without_money_has_no_revenue_values():
    frame = _report(
        revenue_read=None, revenue_kept=None, revenue_dropped={}, return_revenue=None
    ).to_frame()
    assert frame["revenue"].isna().all()


def test_readme_lists_every_drop_reason_in_order():
    import re

    from retainkit.quality import DROP_REASONS, REASON_MEANINGS
    from tests.conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    listed = readme.split("The drop reasons, in the order they are applied: ", 1)[1]
    listed = listed.split(". ", 1)[0]

    def bare(text):  # "return line (with `returns="drop"`)" -> "return line"
        return re.sub(r"\s*\([^)]*\)", "", text).replace("`", "").strip()

    assert [bare(r) for r in listed.split(", ")] == [bare(r) for r in DROP_REASONS]
    assert set(REASON_MEANINGS) == set(DROP_REASONS)

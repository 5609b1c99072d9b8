"""Files shaped like real tools' exports load right, or are refused with the fix.

Each case in tests/exports/ is a data file with its truth in ``<case>.toml``, computed
by ``make_exports.py`` / ``make_tool_exports.py`` from the records they write, never
from a parser (see tests/exports/README.md and TOOLS.md). A case either expects the
rows read and kept, the drops per reason, customers, net revenue and dates, or a
retainkit error whose message names what is wrong, where and the fix. No case may
change its input.
"""

import hashlib
import tomllib

import pytest

import retainkit as rk
from tests.conftest import ROOT

EXPORTS = ROOT / "tests" / "exports"
CASES = sorted(p for p in EXPORTS.glob("*.toml"))


def _fingerprint(path):
    files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def _load_args(case):
    args = dict(case.get("load", {}))
    columns = args.get("columns")
    if isinstance(columns, str) and columns.endswith(".toml"):
        args["columns"] = EXPORTS / columns
    return args


@pytest.mark.parametrize("truth", CASES, ids=[p.stem for p in CASES])
def test_export_reads_right_or_is_refused(truth):
    case = tomllib.loads(truth.read_text(encoding="utf-8"))
    path = EXPORTS / case["file"]
    before = _fingerprint(path)
    if "error" in case:
        error = getattr(rk, case["error"]["type"])
        with pytest.raises(error) as raised:
            rk.load_transactions(path, **_load_args(case))
        message = str(raised.value).lower()
        missing = [m for m in case["error"]["match"] if m.lower() not in message]
        assert not missing, f"the message lacks {missing}: {raised.value}"
    else:
        txn = rk.load_transactions(path, **_load_args(case))
        q = txn.quality
        want = case["expect"]
        got = {
            "rows_read": q.rows_read,
            "rows_kept": q.rows_kept,
            "customers": q.customers,
            "first_date": f"{q.first_date:%Y-%m-%d}",
            "last_date": f"{q.last_date:%Y-%m-%d}",
            "dropped": q.dropped,
        }
        expected = {k: want[k] for k in got if k != "dropped"} | {
            "dropped": want.get("dropped", {})
        }
        assert got == expected, q.notes
        assert q.revenue_kept == pytest.approx(want["revenue"], abs=0.005)
        spots = want.get("customer", [])
        if spots:
            rows = txn.to_pandas()
            summary = rk.customer_summary(txn).set_index("customer_id")
            for spot in spots:
                assert spot["id"] in summary.index, (spot["id"], sorted(summary.index)[:10])
                revenue = rows.loc[rows["customer_id"] == spot["id"], "revenue"].sum()
                assert revenue == pytest.approx(spot["revenue"], abs=0.005), spot
                if "orders" in spot:
                    assert summary.loc[spot["id"], "orders"] == spot["orders"], spot
        side = case.get("side_table")
        if side:
            attributes = rk.load_customers(EXPORTS / side["file"])
            assert attributes["customer_id"].tolist() == side["ids"]
            ids = set(txn.to_pandas()["customer_id"])
            assert sum(i in ids for i in attributes["customer_id"]) == side["matched"]
    assert _fingerprint(path) == before


def test_every_case_has_its_file():
    for truth in CASES:
        case = tomllib.loads(truth.read_text(encoding="utf-8"))
        assert (EXPORTS / case["file"]).exists(), truth.name
    assert len(CASES) >= 40


def test_importing_the_generators_writes_nothing():
    import runpy

    stamps = {p: p.stat().st_mtime_ns for p in EXPORTS.rglob("*") if p.is_file()}
    for script in ("make_exports.py", "make_tool_exports.py"):
        runpy.run_path(str(EXPORTS / script), run_name="tests.exports.generator")
    assert {p: p.stat().st_mtime_ns for p in EXPORTS.rglob("*") if p.is_file()} == stamps


def test_profiles_are_listed_with_their_sources():
    profiles = {p.name: p for p in rk.list_profiles()}
    for name in (
        "shopify",
        "woocommerce",
        "stripe",
        "paypal",
        "square",
        "etsy",
        "xero",
        "quickbooks",
        "sap",
        "amazon_orders",
    ):
        assert name in profiles
        assert profiles[name].detect and profiles[name].source

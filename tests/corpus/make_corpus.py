"""Write the corpus of bad and awkward inputs (run once; the files are committed).

Run: python tests/corpus/make_corpus.py   (from the project root)
Each file's expected outcome is in README.md here and checked by tests/test_corpus.py.
"""

from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent


def write(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def normal_rows(n: int = 60, start: str = "2024-01-01") -> str:
    days = pd.date_range(start, periods=n, freq="D")
    return "".join(f"c{i % 12},{d:%Y-%m-%d},{10 + i % 7}.50\n" for i, d in enumerate(days))


HEADER = "customer_id,order_date,revenue\n"


def main() -> None:
    write("empty.csv", "")
    write("header_only.csv", HEADER)
    write(
        "single_customer.csv",
        HEADER + "".join(f"solo,2024-0{m}-15,{m * 10}.00\n" for m in range(1, 7)),
    )
    write(
        "single_day.csv",
        HEADER + "".join(f"c{i},2024-03-05 {8 + i}:15:00,{5 * i + 3}.00\n" for i in range(6)),
    )
    write(
        "one_timestamp.csv",
        HEADER + "".join(f"c{i % 3},2024-03-05 10:00:00,{i + 1}.00\n" for i in range(6)),
    )
    write("ambiguous_dates.csv", HEADER + "a,03/04/2024,1\nb,05/06/2024,2\nc,11/12/2024,3\n")
    write("day_first.csv", HEADER + "a,03/04/2024,1\nb,25/06/2024,2\nc,11/12/2024,3\n")
    write("month_first.csv", HEADER + "a,03/04/2024,1\nb,06/25/2024,2\nc,11/12/2024,3\n")
    write(
        "mixed_dates.csv",
        HEADER + "a,2024-01-05,1\nb,25/06/2024,2\nc,2024-03-01,3\nd,13/02/2024,4\n",
    )
    write(
        "timezones.csv",
        HEADER + "a,2024-01-01T23:30:00+02:00,1\nb,2024-01-02 10:00:00Z,2\n"
        "c,2024-01-03 10:00 UTC,3\nd,2024-01-04 09:00:00,4\n",
    )
    write(
        "decimal_comma.csv",
        "kunde;datum;umsatz\n1;2024-01-05;1.234,56\n2;2024-01-06;12,5\n3;2024-01-07;0,99\n",
    )
    write(
        "currency_symbols.csv",
        HEADER + 'a,2024-01-05,"$1,200.00"\nb,2024-01-06,£15.50\n'
        "c,2024-01-07,USD 7.25\nd,2024-01-08,(3.00)\n",
    )
    write("utf8_bom.csv", "\ufeff" + HEADER + "é1,2024-01-05,1.5\n")
    write(
        "latin1.csv",
        HEADER.replace("revenue", "revenue,category") + "a,2024-01-05,1.5,Café\n",
        encoding="latin-1",
    )
    write("semicolon.csv", HEADER.replace(",", ";") + "a;2024-01-05;1.5\nb;2024-01-06;2.5\n")
    write("tab.tsv", HEADER.replace(",", "\t") + "a\t2024-01-05\t1.5\nb\t2024-01-06\t2.5\n")
    write(
        "repeated_headers.csv",
        HEADER + "a,2024-01-05,1\n" + HEADER + "b,2024-01-06,2\n" + HEADER + "c,2024-01-07,3\n",
    )
    write(
        "messy_ids.csv",
        HEADER + "17850.0,2024-01-05,1\n17850,2024-01-06,2\n 17850 ,2024-01-07,3\n"
        "ab1,2024-01-08,4\nAB1,2024-01-09,5\n",
    )
    write(
        "bad_amounts.csv",
        HEADER + normal_rows() + "neg,2024-03-01,-5.00\nzero,2024-03-02,0\n"
        "not-a-number,2024-03-03,nan\ninfinite,2024-03-04,inf\n",
    )
    write("absurd_amount.csv", HEADER + normal_rows() + "whale,2024-03-05,1000000000000000\n")
    write(
        "dates_out_of_range.csv", HEADER + normal_rows() + "old,1850-01-01,1\nfuture,2999-01-01,1\n"
    )
    write(
        "exact_duplicates.csv",
        HEADER + "a,2024-01-05 10:00,1\na,2024-01-05 10:00,1\nb,2024-01-06 11:00,2\n",
    )
    write("customers_duplicate_ids.csv", "customer_id,region\na,North\na,South\nb,East\n")
    write("customers_unknown_ids.csv", "customer_id,region\na,North\nzz,South\n")
    write("reasons_blank.csv", "customer_id,reason\na,Price too high\nb,\nc,   \n")
    write(
        "two_names_one_column.toml",
        '[columns]\ncustomer_id = "customer_id"\norder_id = "customer_id"\n'
        'order_date = "order_date"\n',
    )
    with pd.ExcelWriter(HERE / "several_sheets.xlsx") as xl:
        pd.DataFrame({"notes": ["exported by the shop"]}).to_excel(
            xl, sheet_name="Read me", index=False
        )
        pd.DataFrame(
            {
                "CustomerID": [17850.0, 13047.0],
                "InvoiceDate": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                "Amount": [3.0, 4.0],
            }
        ).to_excel(xl, sheet_name="Orders", index=False)
    with pd.ExcelWriter(HERE / "two_order_sheets.xlsx") as xl:
        for sheet in ("2023", "2024"):
            pd.DataFrame(
                {
                    "customer_id": ["a"],
                    "order_date": pd.to_datetime([f"{sheet}-05-01"]),
                    "revenue": [1.0],
                }
            ).to_excel(xl, sheet_name=sheet, index=False)


if __name__ == "__main__":  # importing (e.g. pytest's doctest collection) writes nothing
    main()

"""What a report kernel imports before its notebook runs (``retainkit.report._kernels.PRELOAD``).

The section functions import the whole kit and its libraries. Ibis imports its DuckDB
backend only at the first connection, which every notebook's load makes: 0.44 s of a
0.74 s ``load_dataset`` on the demo's prepared file, mostly the SQL dialects it registers.
"""

import ibis.backends.duckdb  # noqa: F401

import retainkit.sections  # noqa: F401

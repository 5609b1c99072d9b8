"""Segmentation: how value is spread over customers, RFM segments, and whom to keep first.

Everything here works on per-customer frames the engine returns
(:func:`retainkit.engine.customer_values`, :func:`retainkit.customer_summary`), so it is
plain, vectorised pandas and numpy.

**Pareto.** Customers are ranked by net revenue over the analysed period. The *top
share* is the net revenue of the top ``ceil(top_share x N)`` customers divided by the
total net revenue, where ``N`` counts every customer, including those whose net
revenue is zero or negative. The Lorenz curve and the Gini coefficient use the same
ranking with negative net revenue counted as zero (a customer who returned more than
they bought brought nothing, but cannot take away from others' share).

**RFM scores.** Recency (days since the last purchase, recent = high score), frequency
(purchase days: several orders on one day count once) and monetary value (net revenue)
are scored 1 to ``bins`` by *balanced quantile bins* (:func:`quantile_scores`): scores
are filled from the lowest values up, each taking the run of lowest remaining values
whose customers come closest to an equal share of the customers not yet scored;
customers with the same value always get the same score, so the scores do not depend
on the row order. One-purchase customers are often more than a fifth of all
customers: they then fill frequency score 1 alone, and the higher scores share the
repeat buyers evenly. The cut points actually used are returned by
:func:`rfm_cut_points`. ``fm_score`` combines frequency and money: their mean,
rounded half up (frequency alone without revenue).

With fewer distinct values than scores (tiny data), the values are spread evenly over
the scale.

**Segments.** Named segments come from score rules (:data:`DEFAULT_SEGMENT_RULES`,
replaceable by a frame, a mapping or text; see :func:`segment_rules`). A customer gets
the first rule, in table order, that their scores satisfy, so every customer is in
exactly one segment; the default rules leave no score combination out. Movement
between segments compares two dates, each scored on its own data.

**Whom to keep.** :func:`retention_priority` combines three tests (solvent,
interested, key client of a subgroup: :func:`key_clients`) into one list, most
valuable first, with an action and the reasons in words.

Modules, one concept each:

- :mod:`~retainkit.segmentation.pareto`: top share, Lorenz curve, Gini, the vital few;
- :mod:`~retainkit.segmentation.subgroups`: customer attributes to break results down by;
- :mod:`~retainkit.segmentation.scores`: RFM scores by balanced quantile bins;
- :mod:`~retainkit.segmentation.segments`: segment rules and the segment of each customer;
- :mod:`~retainkit.segmentation.movement`: moves between segments from one date to another;
- :mod:`~retainkit.segmentation.priority`: key clients and the retention-priority list;
- :mod:`~retainkit.segmentation.figures`: the key figures of the report manifest.
"""

from retainkit.segmentation.figures import segmentation_figures
from retainkit.segmentation.movement import (
    NOT_YET_A_CUSTOMER,
    movement_between,
    movement_summary,
    segment_movement,
)
from retainkit.segmentation.pareto import (
    customer_profit,
    gini_coefficient,
    lorenz_curve,
    pareto_summary,
    top_count,
    vital_few,
)
from retainkit.segmentation.priority import key_clients, retention_priority
from retainkit.segmentation.scores import (
    quantile_scores,
    rfm_cut_points,
    rfm_scores,
    score_cut_points,
)
from retainkit.segmentation.segments import (
    DEFAULT_SEGMENT_RULES,
    UNASSIGNED,
    assign_segments,
    format_segment_rules,
    parse_segment_rules,
    segment_grid,
    segment_rules,
    segment_summary,
)
from retainkit.segmentation.subgroups import UNKNOWN_GROUP as UNKNOWN_GROUP
from retainkit.segmentation.subgroups import subgroup_columns, with_attributes

__all__ = [
    "DEFAULT_SEGMENT_RULES",
    "NOT_YET_A_CUSTOMER",
    "UNASSIGNED",
    "assign_segments",
    "customer_profit",
    "format_segment_rules",
    "gini_coefficient",
    "key_clients",
    "lorenz_curve",
    "movement_between",
    "movement_summary",
    "pareto_summary",
    "parse_segment_rules",
    "quantile_scores",
    "retention_priority",
    "rfm_cut_points",
    "rfm_scores",
    "score_cut_points",
    "segment_grid",
    "segment_movement",
    "segment_rules",
    "segment_summary",
    "segmentation_figures",
    "subgroup_columns",
    "top_count",
    "vital_few",
    "with_attributes",
]

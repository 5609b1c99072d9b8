"""Customer lifetime value: purchase and spend models, validation and value.

- :class:`BetaGeoModel` (BG/NBD) for repeat purchases and dropout (and
  :class:`ParetoNBDModel`, the Pareto/NBD, as a second purchase model),
  :class:`GammaGammaModel` for spend per purchase, both fitted by maximum likelihood on
  the per-customer summary (:func:`retainkit.customer_summary`);
- :class:`ShiftedBetaGeoModel` (sBG) for subscriptions: renewals of a cohort, retention
  curves and discounted expected residual lifetime;
- :class:`ModifiedBetaGeoModel` (MBG/NBD: BG/NBD where a customer may also leave at the
  first purchase) and the regularity models :class:`BetaGeoCNBDModel` and
  :class:`ModifiedBetaGeoCNBDModel` ((M)BG/CNBD-k: regular, Erlang-k times between
  purchases, ``k`` estimated);
- :class:`BetaGeoBetaBinomModel` (BG/BB) for discrete occasions (a yearly drive, a
  season): who transacts at each and who has left;
- :mod:`retainkit.clv.validation`: calibration/holdout split and scorecard;
- :mod:`retainkit.clv.intervals`: intervals on each customer's forecast purchases and
  value and on their totals (parameter uncertainty and process noise);
- :mod:`retainkit.clv.value`: historical and model lifetime value and the acquisition
  budget.
"""

from retainkit.clv import intervals, validation, value
from retainkit.clv._fallback import fit_or_explain, fit_with_fallback
from retainkit.clv.bgbb import BetaGeoBetaBinomModel
from retainkit.clv.bgnbd import BetaGeoModel
from retainkit.clv.cnbd import BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel
from retainkit.clv.gamma_gamma import GammaGammaModel, independence_check
from retainkit.clv.mbgnbd import ModifiedBetaGeoModel
from retainkit.clv.pareto_nbd import ParetoNBDModel
from retainkit.clv.sbg import ShiftedBetaGeoModel

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoCNBDModel",
    "BetaGeoModel",
    "GammaGammaModel",
    "ModifiedBetaGeoCNBDModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "ShiftedBetaGeoModel",
    "fit_or_explain",
    "fit_with_fallback",
    "independence_check",
    "intervals",
    "validation",
    "value",
]

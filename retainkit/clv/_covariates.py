"""Static customer covariates for the purchase models: checked, aligned and encoded.

A covariate frame holds one row per customer (matched to the summary by a
``customer_id`` column, an index named ``customer_id``, or else by the summary's own
index). Numeric columns enter as they are; bool, string and categorical columns are
one-hot encoded against a reference level, the most frequent level (the first in sorted
order on a tie), so each other level gets its own column named ``<column>=<level>``.
:class:`CovariateDesign` remembers the columns and levels so that predictions encode new
customers the same way.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, expit, gammaln

from retainkit import schema as S
from retainkit.clv._base import Compressed, compress, summary_time_unit, validate_summary
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = [
    "CovariateDesign",
    "CovariateFitting",
    "align_covariates",
    "bgnbd_covariate_data",
    "bgnbd_covariate_neg_ll",
    "design_for",
]


def _first_ids(ids: Any, limit: int = 5) -> str:
    shown = [str(v) for v in list(ids)[:limit]]
    more = len(ids) - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def align_covariates(
    covariates: pd.DataFrame, summary: pd.DataFrame, *, customer_col: str = S.CUSTOMER_ID
) -> pd.DataFrame:
    """Return the covariate rows of the summary's customers, in the summary's order.

    Parameters
    ----------
    covariates : pandas.DataFrame
        One row per customer: a ``customer_id`` column (or an index of that name) and the
        attribute columns; without either, the rows are matched on the summary's index.
        Extra customers are ignored.
    summary : pandas.DataFrame
        The per-customer summary (``customer_id`` and the model's columns).
    customer_col : str
        Name of the customer id column.

    Returns
    -------
    pandas.DataFrame
        The attribute columns only, one row per summary row in the summary's order,
        indexed by the summary's customer ids (its index when it has none).

    Raises
    ------
    DataValidationError
        When customer ids repeat, or summary customers have no covariate row.
    SchemaError
        When no attribute column is left.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [0, 1]})
    >>> c = pd.DataFrame({"customer_id": ["b", "a", "z"], "plan": ["x", "y", "y"]})
    >>> align_covariates(c, s)["plan"].tolist()
    ['y', 'x']
    """
    if not isinstance(covariates, pd.DataFrame):
        raise TypeError(
            f"covariates must be a pandas DataFrame with one row per customer, "
            f"got {type(covariates).__name__}"
        )
    frame = covariates
    if customer_col not in frame.columns and frame.index.name == customer_col:
        frame = frame.reset_index()
    if customer_col in frame.columns:
        if customer_col not in summary.columns:
            raise SchemaError(
                f"covariates are matched on {customer_col!r} but the summary has no such "
                f"column; pass the summary of retainkit.customer_summary(...)"
            )
        keys = frame[customer_col]
        wanted = summary[customer_col]
        where = "customer_id"
    else:
        keys = pd.Series(frame.index, index=frame.index)
        wanted = pd.Series(summary.index, index=summary.index)
        where = "index"
    repeated = keys[keys.duplicated()]
    if len(repeated):
        raise DataValidationError(
            f"covariates: {len(repeated):,} customers appear on more than one row (by "
            f"{where}: {_first_ids(repeated.unique())}); keep one row of attributes per "
            "customer"
        )
    position = pd.Index(keys).get_indexer(pd.Index(wanted))
    missing = wanted[position < 0]
    if len(missing):
        raise DataValidationError(
            f"covariates has {len(frame):,} rows but {len(missing):,} of the summary's "
            f"{len(summary):,} customers have no row (matched by {where}: "
            f"{_first_ids(missing)}); give every customer of the summary a row, matched "
            f"by a {customer_col!r} column or the summary's index"
        )
    attributes = [c for c in frame.columns if c != customer_col]
    if not attributes:
        raise SchemaError(
            f"covariates has no attribute columns besides {customer_col!r}; add at least "
            "one column (a plan, a channel, a region...)"
        )
    out = frame[attributes].iloc[position]
    # indexed by the customer ids where there are some, so that messages name customers
    out.index = (
        pd.Index(summary[customer_col], name=customer_col)
        if customer_col in summary.columns
        else summary.index
    )
    return out


@dataclass(frozen=True)
class CovariateDesign:
    """How customer attributes become the numeric columns of the covariate model.

    Attributes
    ----------
    columns : tuple of str
        The attribute columns of the fitted covariate frame, in order.
    names : tuple of str
        The numeric model columns: a numeric attribute keeps its name, each non-reference
        level of a categorical one is ``<column>=<level>``.
    levels : dict
        For each categorical attribute, ``{"reference": level, "levels": [...]}`` (every
        level seen at fit, sorted); ``None`` for a numeric attribute.
    """

    columns: tuple[str, ...]
    names: tuple[str, ...]
    levels: dict[str, dict[str, Any] | None]

    def encode(self, frame: pd.DataFrame, *, context: str = "covariates") -> np.ndarray:
        """Return the customers x ``names`` matrix of an aligned covariate frame.

        Raises
        ------
        SchemaError
            When a fitted attribute column is missing.
        DataValidationError
            When a value is missing, a numeric column is not numeric, or a level was not
            seen at fit.
        """
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            col = missing[0]
            close = difflib.get_close_matches(str(col), [str(c) for c in frame.columns], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SchemaError(
                f"{context}: the column {col!r} the model was fitted with is missing{hint}; "
                f"the fit used {list(self.columns)}"
            )
        blocks = []
        for col in self.columns:
            series = frame[col]
            empty = series.isna().to_numpy()
            if empty.any():
                raise DataValidationError(
                    f"{context}: column {col!r} has {int(empty.sum()):,} missing values "
                    f"(customers {_first_ids(frame.index[empty])}); fill them (with a level "
                    "such as 'unknown', or the column's mean) or drop those customers"
                )
            spec = self.levels[col]
            if spec is None:
                if not _is_numeric(series):
                    raise DataValidationError(
                        f"{context}: column {col!r} was numeric at fit but holds "
                        f"{series.dtype} values now; pass numbers"
                    )
                values = series.to_numpy(dtype="float64")
                if not np.all(np.isfinite(values)):
                    bad = ~np.isfinite(values)
                    raise DataValidationError(
                        f"{context}: column {col!r} has {int(bad.sum()):,} infinite values "
                        f"(customers {_first_ids(frame.index[bad])}); pass finite numbers"
                    )
                blocks.append(values[:, None])
                continue
            as_text = series.astype(object)
            known = {_key(v) for v in spec["levels"]}
            unknown = sorted({_key(v) for v in as_text} - known)
            if unknown:
                raise DataValidationError(
                    f"{context}: column {col!r} has the level {unknown[0]!r}, which the fit "
                    f"did not see (it saw {[_key(v) for v in spec['levels']]}); map it to one "
                    "of those levels or refit with these customers"
                )
            keys = as_text.map(_key).to_numpy()
            others = [v for v in spec["levels"] if _key(v) != _key(spec["reference"])]
            blocks.append(
                np.column_stack([keys == _key(v) for v in others]).astype("float64")
                if others
                else np.zeros((len(frame), 0))
            )
        if not blocks:
            return np.zeros((len(frame), 0))
        return np.hstack(blocks)


def _key(value: Any) -> str:
    """Return the text a level is compared and named by (``True``, ``'Two year'``, ``3``)."""
    return str(value)


def design_for(frame: pd.DataFrame) -> tuple[CovariateDesign, np.ndarray]:
    """Choose the encoding of an aligned covariate frame and check it can be estimated.

    Parameters
    ----------
    frame : pandas.DataFrame
        Attribute columns, one row per fitted customer (:func:`align_covariates`).

    Returns
    -------
    (CovariateDesign, numpy.ndarray)
        The encoding and the customers x columns matrix.

    Raises
    ------
    DataValidationError
        When a value is missing, a column is the same for every customer, or the columns
        are collinear (one is a combination of others), so an effect cannot be estimated.

    Examples
    --------
    >>> f = pd.DataFrame({"plan": ["basic", "pro", "basic"], "age": [30.0, 40.0, 50.0]})
    >>> design, z = design_for(f)
    >>> design.names, design.levels["plan"]["reference"], z.tolist()
    (('plan=pro', 'age'), 'basic', [[0.0, 30.0], [1.0, 40.0], [0.0, 50.0]])
    """
    levels: dict[str, dict[str, Any] | None] = {}
    names: list[str] = []
    for col in frame.columns:
        series = frame[col]
        empty = series.isna().to_numpy()
        if empty.any():
            raise DataValidationError(
                f"covariates: column {col!r} has {int(empty.sum()):,} missing values "
                f"(customers {_first_ids(frame.index[empty])}); fill them (with a level "
                "such as 'unknown', or the column's mean) or drop those customers"
            )
        if _is_numeric(series):
            values = series.to_numpy(dtype="float64")
            if not np.all(np.isfinite(values)):
                raise DataValidationError(
                    f"covariates: column {col!r} has infinite values; pass finite numbers"
                )
            if np.ptp(values) == 0:
                raise DataValidationError(
                    f"covariates: column {col!r} is {values[0]:g} for every customer, so its "
                    "effect cannot be told apart from the base rates; drop the column"
                )
            levels[str(col)] = None
            names.append(str(col))
            continue
        if not (
            pd.api.types.is_bool_dtype(series)
            or pd.api.types.is_object_dtype(series)
            or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype)
        ):
            raise DataValidationError(
                f"covariates: column {col!r} has type {series.dtype}, which is neither "
                "numeric nor categorical; convert it (a date to days since, say)"
            )
        counts = series.astype(object).map(_key).value_counts(sort=False)
        if len(counts) < 2:
            raise DataValidationError(
                f"covariates: column {col!r} is {counts.index[0]!r} for every customer, so "
                "its effect cannot be estimated; drop the column"
            )
        ordered = sorted(counts.index)
        # reference: the most frequent level, the first in sorted order on a tie
        reference = min(ordered, key=lambda v: (-int(counts[v]), ordered.index(v)))
        levels[str(col)] = {"reference": reference, "levels": ordered}
        names.extend(f"{col}={v}" for v in ordered if v != reference)
    design = CovariateDesign(tuple(str(c) for c in frame.columns), tuple(names), levels)
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    z = design.encode(frame)
    _check_identifiable(design, z)
    return design, z


def _check_identifiable(design: CovariateDesign, z: np.ndarray) -> None:
    """Raise when the columns, with the intercept, are linearly dependent."""
    if z.shape[1] == 0:
        return
    distinct = np.unique(z, axis=0)
    centred = distinct - distinct.mean(axis=0)
    scale = np.abs(centred).max(axis=0)
    scaled = centred / np.where(scale > 0, scale, 1.0)
    rank = np.linalg.matrix_rank(scaled, tol=1e-9 * max(scaled.shape))
    if rank < z.shape[1]:
        # name a column that is a combination of the others (the last such)
        for j in reversed(range(z.shape[1])):
            rest = np.delete(scaled, j, axis=1)
            if np.linalg.matrix_rank(rest, tol=1e-9 * max(scaled.shape)) == rank:
                culprit = design.names[j]
                break
        else:  # pragma: no cover - some column always is
            culprit = design.names[-1]
        raise DataValidationError(
            f"covariates: the column {culprit!r} is a combination of the other columns "
            f"({list(design.names)}), so their effects cannot be told apart; drop it or "
            "merge the columns"
        )


class CovariateFitting:
    """Fitting and prediction plumbing shared by the models that take covariates.

    Mixed into :class:`~retainkit.clv.ParetoNBDModel` and
    :class:`~retainkit.clv.BetaGeoModel` (before :class:`~retainkit.clv._base.BaseModel`).
    The covariate columns join the compression key, so identical customers with identical
    attributes still share one row; the coefficients are the trailing, unconstrained
    parameters ``trans.<column>`` (purchase process) then ``life.<column>`` (dropout).
    """

    _design: CovariateDesign | None = None
    covariate_levels_: dict[str, dict[str, Any] | None] | None = None

    def _fit_covariates(
        self, summary: pd.DataFrame, covariates: pd.DataFrame | None, time_unit: str | None
    ) -> Any:
        model: Any = self
        validate_summary(summary, model._required, model=model._name)
        model.time_unit_ = summary_time_unit(summary, time_unit)
        columns = model._columns(summary)
        if covariates is None:
            self._design = None
            self.covariate_levels_ = None
            model._free_names = ()
            return model._fit_rows(compress(columns))
        design, z = design_for(align_covariates(covariates, summary))
        self._design = design
        self.covariate_levels_ = {
            k: (None if v is None else {"reference": v["reference"], "levels": list(v["levels"])})
            for k, v in design.levels.items()
        }
        model._free_names = tuple(f"trans.{n}" for n in design.names) + tuple(
            f"life.{n}" for n in design.names
        )
        # the optimiser sees each column divided by its largest size (binary columns stay
        # as they are), so that one step moves every coefficient on a similar scale; the
        # coefficients and their standard errors are scaled back after the fit
        scale = np.abs(z).max(axis=0)
        try:
            model._fit_rows(compress([*columns, *(z / scale).T]))
        except Exception:
            self._design = None
            self.covariate_levels_ = None
            model._free_names = ()
            raise
        back = dict(zip(model._free_names, np.concatenate([scale, scale]).tolist(), strict=True))
        model.params_ = {k: v / back.get(k, 1.0) for k, v in model.params_.items()}
        model.standard_errors_ = {
            k: v / back.get(k, 1.0) for k, v in model.standard_errors_.items()
        }
        return model

    def _covariate_matrix(
        self, summary: pd.DataFrame, covariates: pd.DataFrame | None
    ) -> np.ndarray | None:
        """Encode the summary's customers' covariates the way the fit did (None without)."""
        model: Any = self
        if self._design is None:
            if covariates is not None:
                raise ValueError(
                    f"this {type(self).__name__} was fitted without covariates; drop the "
                    "covariates= argument or refit with .fit(summary, covariates=...)"
                )
            return None
        if covariates is None:
            raise DataValidationError(
                f"this {type(self).__name__} was fitted with the covariates "
                f"{list(self._design.columns)}; pass the customers' attributes as "
                f"covariates= (one row per customer of the summary, as at {model._name} fit)"
            )
        return self._design.encode(align_covariates(covariates, summary))

    def _one_customer(self, covariates: Any) -> np.ndarray | None:
        """Encode one customer's attributes (a mapping or a one-row frame) as a 1 x k matrix."""
        if self._design is None:
            if covariates is not None:
                raise ValueError(
                    f"this {type(self).__name__} was fitted without covariates; drop the "
                    "covariates= argument"
                )
            return None
        if covariates is None:
            raise DataValidationError(
                f"this {type(self).__name__} was fitted with the covariates "
                f"{list(self._design.columns)}; pass the new customer's attributes as "
                "covariates= (a dict such as {column: value}, or a one-row DataFrame)"
            )
        frame = covariates if isinstance(covariates, pd.DataFrame) else pd.DataFrame([covariates])
        if len(frame) != 1:
            raise DataValidationError(
                f"covariates= describes one customer here; got {len(frame):,} rows"
            )
        return self._design.encode(frame.drop(columns=[S.CUSTOMER_ID], errors="ignore"))

    def _gammas(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the purchase and the dropout coefficients, in the design's order."""
        params: dict[str, float] = getattr(self, "params_", None) or {}
        names = () if self._design is None else self._design.names
        trans = np.array([params[f"trans.{n}"] for n in names], dtype="float64")
        life = np.array([params[f"life.{n}"] for n in names], dtype="float64")
        return trans, life

    def _require_covariates(self, z: np.ndarray | None) -> None:
        if self._design is not None and z is None:
            raise DataValidationError(
                f"this {type(self).__name__} was fitted with the covariates "
                f"{list(self._design.columns)}; its predictions need each customer's "
                "attributes (covariates=)"
            )


# --- the BG/NBD likelihood with covariates (BetaGeoModel uses these) ----------------------
def _ll_rows_and_slopes(
    r: float,
    alpha: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    T: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Log-likelihood of each row with ``alpha``, ``a``, ``b`` per row, and its slopes.

    LL = log G(r+x) - log G(r) + r log alpha - (r+x) log(alpha+T) + log B(a, b+x)
         - log B(a, b) + log(1 + [x > 0] exp(d)),
    d = log(a / (b+x-1)) + (r+x) (log(alpha+T) - log(alpha+t_x)).
    Returns the LL and its derivatives in r, alpha, a and b, row by row.
    """
    rx = r + x
    lnaT, lnatx = np.log(alpha + T), np.log(alpha + tx)
    repeat = x > 0
    d = np.where(
        repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) + rx * (lnaT - lnatx), 0
    )
    tail = np.where(repeat, np.logaddexp(0.0, d), 0.0)
    q = np.where(repeat, expit(d), 0.0)  # d tail / d d
    ll = (
        gammaln(rx)
        - gammaln(r)
        + r * np.log(alpha)
        - rx * lnaT
        + betaln(a, b + x)
        - betaln(a, b)
        + tail
    )
    d_r = digamma(rx) - digamma(r) + np.log(alpha) - lnaT + q * (lnaT - lnatx)
    d_alpha = r / alpha - rx / (alpha + T) + q * rx * (1 / (alpha + T) - 1 / (alpha + tx))
    d_a = digamma(a + b) - digamma(a + b + x) + q / a
    d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)
    d_b = d_b - q / np.where(repeat, b + x - 1, 1.0)
    return ll, d_r, d_alpha, d_a, d_b


def bgnbd_covariate_data(rows: Compressed) -> dict[str, Any]:
    """Return what the BG/NBD likelihood with covariates evaluates, from compressed rows.

    The rows' columns are ``x``, ``t_x``, ``T`` and then the (scaled) covariates.
    """
    x, tx, T, *z = rows.unique_rows
    w = rows.weights
    return {
        "x": x,
        "tx": tx,
        "T": T,
        "Z": np.column_stack(z),
        "w": w,
        "n": float(w.sum()),
        "mean_x": float(w @ x / w.sum()),
        "mean_T": float(w @ T / w.sum()),
    }


def bgnbd_covariate_neg_ll(params: np.ndarray, data: dict[str, Any]) -> tuple[float, np.ndarray]:
    """Return BG/NBD's negative log-likelihood with covariates, and its gradient.

    ``params`` is ``r, alpha, a, b``, then the ``trans`` and the ``life`` coefficients;
    ``data`` is :func:`bgnbd_covariate_data`.
    """
    r, alpha, a, b = params[:4]
    x, tx, T, w, z = data["x"], data["tx"], data["T"], data["w"], data["Z"]
    k = z.shape[1]
    shrink = np.exp(-(z @ params[4 : 4 + k]))  # alpha_i / alpha
    grow = np.exp(z @ params[4 + k :])  # a_i / a = b_i / b
    alpha_i, a_i, b_i = alpha * shrink, a * grow, b * grow
    ll, d_r, d_alpha, d_a, d_b = _ll_rows_and_slopes(r, alpha_i, a_i, b_i, x, tx, T)
    w_alpha = w * d_alpha * alpha_i  # d LL / d log(alpha_i)
    w_life = w * (d_a * a_i + d_b * b_i)  # d LL / d log(a_i) + d LL / d log(b_i)
    grad = np.concatenate(
        [
            [w @ d_r, w_alpha.sum() / alpha, (w * d_a) @ grow, (w * d_b) @ grow],
            -(z.T @ w_alpha),
            z.T @ w_life,
        ]
    )
    return -float(w @ ll), -grad

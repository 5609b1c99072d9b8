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

from retainkit import schema as S
from retainkit.clv._base import Compressed, compress, summary_time_unit, validate_summary
from retainkit.exceptions import DataValidationError, SchemaError

__all__ = [
    "CovariateDesign",
    "CovariateFitting",
    "align_covariates",
    "design_for",
    "summary_data",
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
    """Fitting and prediction plumbing shared by the purchase models that take covariates.

    Mixed into :class:`~retainkit.clv.ParetoNBDModel` and
    :class:`~retainkit.clv.BetaGeoModel` (before :class:`~retainkit.clv._base.BaseModel`).
    The covariate columns join the compression key, so identical customers with identical
    attributes still share one row; the coefficients are the trailing, unconstrained
    parameters ``trans.<column>`` (purchase process) then ``life.<column>`` (dropout).

    A model gives ``_row_terms(p1, p2, p3, p4, x, tx, T)``: each row's log-likelihood and
    its derivatives in its four parameters, any of them per row; and ``_links``: for each
    of the four, 0 when it is shared, or the group (``"trans"`` or ``"life"``) and sign
    with which the covariates scale it, ``theta_i = theta exp(sign z . gamma_group)``.
    """

    _design: CovariateDesign | None = None
    covariate_levels_: dict[str, dict[str, Any] | None] | None = None
    _links: tuple[tuple[str, int] | None, ...] = ()

    def _takes_covariates(self) -> bool:
        """Say whether this model's fit accepts ``covariates=`` (models built on it may not)."""
        return True

    def fit(
        self,
        summary: pd.DataFrame,
        *,
        covariates: pd.DataFrame | None = None,
        time_unit: str | None = None,
    ) -> Any:
        """Fit the model by maximum likelihood, optionally with static covariates.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``customer_id``, ``frequency``, ``recency``, ``T``
            (:func:`retainkit.customer_summary`).
        covariates : pandas.DataFrame, optional
            One row of attributes per customer: a ``customer_id`` column (or index of
            that name) matching the summary's, or else the summary's own index; every
            other column is a covariate. Numeric columns enter as they are; bool, string
            and categorical ones are one-hot encoded against their most frequent level
            (``covariate_levels_`` names it). Extra customers are ignored. A penalizer
            also pulls the coefficients towards 0 (those of each column divided by its
            largest absolute value). Only BG/NBD and Pareto/NBD take covariates (not the
            models built on BG/NBD).
        time_unit : str, optional
            Unit of ``recency`` and ``T`` when ``summary.attrs`` does not name it
            (default ``"weeks"``).

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            When a column is missing.
        DataValidationError
            When the summary is invalid, or a customer has no covariate row, a covariate
            is missing, constant, or a combination of the others.
        ConvergenceError
            When the optimiser fails; the message says what to try.

        Examples
        --------
        >>> from retainkit.clv import ParetoNBDModel
        >>> s = pd.DataFrame({"customer_id": list("abcdef"), "frequency": [0, 2, 1, 4, 0, 3],
        ...                   "recency": [0.0, 20.0, 5.0, 30.0, 0.0, 12.0], "T": [40.0] * 6})
        >>> c = pd.DataFrame({"customer_id": list("abcdef"),
        ...                   "plan": ["basic", "pro", "basic", "pro", "basic", "basic"]})
        >>> m = ParetoNBDModel(penalizer=0.01).fit(s, covariates=c)
        >>> [k for k in m.params_], m.covariate_levels_["plan"]["reference"]
        (['r', 'alpha', 's', 'beta', 'trans.plan=pro', 'life.plan=pro'], 'basic')
        """
        model: Any = self
        if covariates is not None and not self._takes_covariates():
            raise ValueError(
                f"the {model._name} model does not take covariates; fit BetaGeoModel or "
                "ParetoNBDModel with covariates=, or drop the argument"
            )
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

    def _columns(self, summary: pd.DataFrame) -> list[np.ndarray]:
        """Return ``x``, ``t_x`` (0 without repeats) and ``T`` of the summary's customers."""
        x = summary["frequency"].to_numpy(dtype="float64")
        tx = np.where(x > 0, summary["recency"].to_numpy(dtype="float64"), 0.0)
        return [x, tx, summary["T"].to_numpy(dtype="float64")]

    def _arrays(
        self, summary: pd.DataFrame, covariates: pd.DataFrame | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Check a summary to predict on; return ``x``, ``t_x``, ``T`` and the covariates."""
        model: Any = self
        model._check_fitted()
        validate_summary(summary, model._required, model=model._name)
        model._check_unit(summary)
        x, tx, T = self._columns(summary)
        return x, tx, T, self._covariate_matrix(summary, covariates)

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

    def _new_customer(self, t: Any, covariates: Any) -> np.ndarray:
        """E[X(t)] of a customer just acquired (``x = t_x = T = 0``), shaped as ``t``."""
        model: Any = self
        t = np.asarray(t, dtype="float64")
        z = self._one_customer(covariates)
        zero = np.zeros(1)
        return model._expected(zero, zero, zero, t.ravel(), z)[0].reshape(t.shape)

    def _individual(self, z: np.ndarray | None) -> list[Any]:
        """Return the fitted four parameters, each customer's own where covariates scale it."""
        model: Any = self
        p = model._check_fitted()
        if self._design is not None and z is None:
            raise DataValidationError(
                f"this {type(self).__name__} was fitted with the covariates "
                f"{list(self._design.columns)}; its predictions need each customer's "
                "attributes (covariates=)"
            )
        names = model._param_names
        base = np.array([p[n] for n in names], dtype="float64")
        if z is None:
            return base.tolist()
        design = self._design.names if self._design is not None else ()
        gammas = {
            part: np.array([p[f"{part}.{n}"] for n in design], dtype="float64")
            for part in ("trans", "life")
        }
        return self._scaled(base, z, gammas)

    def _scaled(self, base: np.ndarray, z: np.ndarray, gammas: dict[str, np.ndarray]) -> list[Any]:
        """Return the four parameters, ``theta exp(sign z . gamma_group)`` where linked."""
        out: list[Any] = []
        for value, link in zip(base, self._links, strict=True):
            if link is None:
                out.append(float(value))
            else:
                group, sign = link
                out.append(value * np.exp(sign * (z @ gammas[group])))
        return out

    def _covariate_neg_ll(
        self, params: np.ndarray, data: dict[str, Any]
    ) -> tuple[float, np.ndarray]:
        """Return the negative log-likelihood with covariates, and its gradient.

        ``params`` is the model's four parameters, then the ``trans`` and the ``life``
        coefficients; ``data`` is :func:`summary_data` of rows with covariates. The
        per-row slopes reach the coefficients by the chain rule:
        ``d theta_i / d gamma = sign theta_i z``.
        """
        model: Any = self
        z, w = data["Z"], data["w"]
        k = z.shape[1]
        gammas = {"trans": params[4 : 4 + k], "life": params[4 + k :]}
        rows = self._scaled(params[:4], z, gammas)
        ll, *slopes = model._row_terms(*rows, data["x"], data["tx"], data["T"])
        grad = np.zeros(len(params))
        for j, (link, slope) in enumerate(zip(self._links, slopes, strict=True)):
            if link is None:
                grad[j] = w @ slope
                continue
            group, sign = link
            weighted = w * slope * rows[j]  # d LL / d log(theta_i)
            grad[j] = weighted.sum() / params[j]
            at = slice(4, 4 + k) if group == "trans" else slice(4 + k, 4 + 2 * k)
            grad[at] += sign * (z.T @ weighted)
        return -float(w @ ll), -grad


def summary_data(rows: Compressed) -> dict[str, Any]:
    """Return what a purchase model's likelihood evaluates, from compressed rows.

    The rows' columns are ``x``, ``t_x``, ``T`` and then any (scaled) covariates, which
    become the matrix ``Z``.
    """
    x, tx, T, *z = rows.unique_rows
    w = rows.weights
    out = {
        "x": x,
        "tx": tx,
        "T": T,
        "w": w,
        "n": float(w.sum()),
        "mean_x": float(w @ x / w.sum()),
        "mean_T": float(w @ T / w.sum()),
    }
    if z:
        out["Z"] = np.column_stack(z)
    return out

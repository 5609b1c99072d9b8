"""Order and payment statuses: which mean a completed sale, which do not.

A status column (paid, failed, refunded...) decides whether a row is a sale. Values are
compared lower-cased, with ``wc-`` prefixes dropped and ``_``/``-`` read as spaces. A
value is *not a sale* when it is one of :data:`NOT_SALE_STATUSES`, or holds one of the
words of :data:`NOT_SALE_WORDS` (English, German, French, Spanish, Italian, Dutch,
Portuguese: "Zahlung fehlgeschlagen", "commande annulée") unless it also says the
refund or payment was partial ("partially refunded", "teilweise erstattet"), which is a
sale net of its refund. Values in :data:`SALE_STATUSES` and those words are sales. A
value neither list knows, in a column whose other values it does know, stops loading
when it is on more than 1% of the kept rows (below that it is kept and named in a
note): the reader says which it is (``sale_statuses``, ``not_sale_statuses``).
"""

from __future__ import annotations

import ibis.expr.types as ir

from retainkit.engine import _ids
from retainkit.engine._backend import one_of

__all__ = [
    "NOT_SALE_STATUSES",
    "NOT_SALE_WORDS",
    "SALE_STATUSES",
    "SALE_WORDS",
    "is_known",
    "is_not_sale",
    "normalised",
]

#: Whole status values that mean a row is not a completed sale.
NOT_SALE_STATUSES: tuple[str, ...] = (
    "pending payment",
    "not captured",
    "checkout draft",
    "on hold",
    "not paid",
    "requires payment method",
    "requires action",
    "requires capture",
    "requires confirmation",
    "awaiting payment",
    "error",
    "test",
    "cancel",
)
#: Words that make a status "not a sale", in the languages exports are written in.
NOT_SALE_WORDS: tuple[str, ...] = (
    # English
    "failed",
    "failure",
    "declined",
    "void",
    "voided",
    "cancelled",
    "canceled",
    "cancellation",
    "pending",
    "uncaptured",
    "expired",
    "draft",
    "trash",
    "trashed",
    "deleted",
    "abandoned",
    "denied",
    "reversed",
    "reversal",
    "incomplete",
    "unpaid",
    "refunded",
    "rejected",
    "blocked",
    "chargeback",
    "disputed",
    "returned",
    # German
    "storniert",
    "storno",
    "erstattet",
    "rückerstattet",
    "zurückerstattet",
    "fehlgeschlagen",
    "ausstehend",
    "abgebrochen",
    "abgelehnt",
    "entwurf",
    "gelöscht",
    "unbezahlt",
    # French
    "annulé",
    "annulée",
    "annule",
    "annulee",
    "remboursé",
    "remboursée",
    "rembourse",
    "echoue",
    "échoué",
    "échouée",
    "en attente",
    "refusé",
    "refusée",
    "brouillon",
    "supprimé",
    "impayé",
    # Spanish and Portuguese
    "cancelado",
    "cancelada",
    "reembolsado",
    "reembolsada",
    "fallido",
    "fallida",
    "pendiente",
    "pendente",
    "rechazado",
    "rechazada",
    "recusado",
    "borrador",
    "anulado",
    "anulada",
    "falhou",
    "devuelto",
    "estornado",
    # Italian
    "annullato",
    "annullata",
    "rimborsato",
    "rimborsata",
    "fallito",
    "fallita",
    "in attesa",
    "rifiutato",
    "bozza",
    # Dutch
    "geannuleerd",
    "terugbetaald",
    "mislukt",
    "in afwachting",
    "geweigerd",
    "concept",
)
#: Words saying a refund or payment was partial: such a status is still a sale.
PARTIAL_WORDS: tuple[str, ...] = (
    "partially",
    "partial",
    "partly",
    "teilweise",
    "teilerstattet",
    "partiel",
    "partielle",
    "partiellement",
    "parcial",
    "parcialmente",
    "parziale",
    "parzialmente",
    "gedeeltelijk",
)
#: Whole status values that mean a completed (or partly refunded) sale.
SALE_STATUSES: tuple[str, ...] = (
    "sale",
    "ok",
    "done",
    "invoiced",
    "posted",
    "billed",
    "approved",
    "authorised",
    "authorized",
    "confirmed",
    "closed",
)
#: Words that make a status a sale.
SALE_WORDS: tuple[str, ...] = (
    "paid",
    "completed",
    "complete",
    "succeeded",
    "success",
    "successful",
    "captured",
    "settled",
    "processing",
    "shipped",
    "fulfilled",
    "delivered",
    "unfulfilled",
    "unshipped",
    "shipping",
    "dispatched",
    "transit",
    "bezahlt",
    "bestätigt",
    "confirmado",
    "confirmada",
    "confirmé",
    "confirmée",
    "confermato",
    "bevestigd",
    "abgeschlossen",
    "versendet",
    "geliefert",
    "erledigt",
    "payé",
    "payée",
    "terminé",
    "terminée",
    "expédié",
    "livré",
    "livrée",
    "pagado",
    "pagada",
    "completado",
    "completada",
    "enviado",
    "entregado",
    "pago",
    "concluído",
    "pagato",
    "completato",
    "spedito",
    "consegnato",
    "betaald",
    "voltooid",
    "verzonden",
    "geleverd",
)


def normalised(col: ir.Value) -> ir.StringValue:
    """Write a status as compared: lower-cased, ``wc-`` dropped, ``_``, ``-`` as spaces."""
    return _ids.text(col).lower().re_replace(r"^wc-", "").re_replace(r"[_-]+", " ")


def _has_word(status: ir.StringValue, words: tuple[str, ...]) -> ir.BooleanValue:
    escaped = [w.replace(".", r"\.") for w in words]
    return status.re_search("(^| )(" + "|".join(escaped) + ")( |$)").fill_null(False)


def is_not_sale(
    status: ir.StringValue, *, sale: tuple[str, ...] = (), not_sale: tuple[str, ...] = ()
) -> ir.BooleanValue:
    """Flag statuses that mean the row is not a completed sale.

    ``sale`` and ``not_sale`` are the reader's own values (lower-cased), which win over
    the built-in words.
    """
    built_in = (one_of(status, NOT_SALE_STATUSES) | _has_word(status, NOT_SALE_WORDS)) & ~_has_word(
        status, PARTIAL_WORDS
    )
    flag = (built_in | one_of(status, [s.lower() for s in not_sale])) & ~one_of(
        status, [s.lower() for s in sale]
    )
    return flag.fill_null(False)


def is_known(
    status: ir.StringValue, *, sale: tuple[str, ...] = (), not_sale: tuple[str, ...] = ()
) -> ir.BooleanValue:
    """Flag statuses the vocabulary (built in, or the reader's) says something about."""
    return (
        one_of(
            status, [*NOT_SALE_STATUSES, *SALE_STATUSES, *(s.lower() for s in (*sale, *not_sale))]
        )
        | _has_word(status, NOT_SALE_WORDS + SALE_WORDS + PARTIAL_WORDS)
    ).fill_null(False)

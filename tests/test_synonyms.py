from retainkit import schema as S
from retainkit._synonyms import _SYNONYMS, _WEAK_SYNONYMS, _norm


def test_synonyms_are_keyed_by_canonical_names():
    # the keys are written out in _synonyms (which must not import the schema)
    assert set(_SYNONYMS) <= set(S.SOURCE_TRANSACTION_COLUMNS) | set(S.REASON_COLUMNS)


def test_synonyms_are_written_as_compared():
    names = [n for names in _SYNONYMS.values() for n in names] + sorted(_WEAK_SYNONYMS)
    assert [n for n in names if _norm(n) != n] == []
    assert _WEAK_SYNONYMS <= set(names)

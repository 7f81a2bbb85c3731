"""Every fixture through the real pipeline, compared with its hand-checked expected JSON."""
import pytest

from golden import differences, golden_pairs, load
from xxgk.normalize.schema import validate
from outputs_helper import converted

PAIRS = golden_pairs()


@pytest.mark.parametrize("source,expected", PAIRS, ids=[str(p[0].relative_to(p[0].parents[1])) for p in PAIRS])
def test_fixture_matches_golden(source, expected):
    report = converted(source)  # one real conversion per session, shared with the audit tests
    assert validate(report) == []
    assert differences(report, load(expected)) == []


def test_every_seed_has_a_golden():
    seeds = {p[0].name for p in PAIRS if p[0].parent.name == "seeds"}
    assert len(seeds) == 5

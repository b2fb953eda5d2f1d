"""benchmarks/floor.py: the database's own least time, measured and left as it was."""

import json

import pytest

from benchmarks.floor import main, measure_floor
from benchmarks.recompute import BenchmarkError, build_dataset
from targets.models import ProgressResult
from targets.services import progress_recompute
from tests.benchmarks.test_benchmark_smoke import AS_OF, TINY


@pytest.mark.django_db(transaction=True)
def test_the_floor_is_measured_and_nothing_it_wrote_stays():
    build_dataset(TINY, range(0, 1))
    progress_recompute(as_of=AS_OF)
    before = ProgressResult.objects.count()

    figures = measure_floor(as_of=AS_OF, repeat=2)

    assert figures["targets"] == ProgressResult.objects.filter(as_of=AS_OF).count()
    assert figures["reports_counted"] > 0
    for part in ("read_targets_s", "read_reports_s", "write_results_s", "pure_s"):
        assert figures[part] > 0
    parts = figures["read_targets_s"] + figures["read_reports_s"] + figures["write_results_s"]
    assert figures["floor_s"] == pytest.approx(parts, abs=1e-3)
    # Recomputed from the rounded seconds (4 places), so allow for their rounding too.
    ratio = figures["floor_s"] / figures["pure_s"]
    assert figures["floor_vs_pure"] == pytest.approx(ratio, rel=0.1, abs=0.01)
    assert ProgressResult.objects.count() == before  # the write was rolled back
    json.dumps(figures)


@pytest.mark.django_db(transaction=True)
def test_without_stored_results_it_says_what_to_run_first():
    build_dataset(TINY, range(0, 1))

    with pytest.raises(BenchmarkError, match=r"recompute\.py --keep-database"):
        measure_floor(as_of=AS_OF, repeat=1)


def test_the_command_needs_the_kept_database():
    with pytest.raises(SystemExit):
        main([])

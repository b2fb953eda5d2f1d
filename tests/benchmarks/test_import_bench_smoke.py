"""benchmarks/import.py at a tiny size: it runs, and its figures describe what it imported."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


def test_the_import_benchmark_prints_one_json_line_that_describes_the_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "benchmarks/import.py", "--rows", "300", "--xlsx"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )

    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["database"] == "sqlite"
    assert [(s["format"], s["rows"]) for s in figures["sizes"]] == [("csv", 300), ("xlsx", 300)]
    for size in figures["sizes"]:
        assert size["created"] == size["unchanged_on_reimport"] == 300
        assert size["total_s"] >= size["store_s"] > 0
    assert not any(tmp_path.iterdir())  # its database is removed afterwards

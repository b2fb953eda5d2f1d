"""plotly.js is served from the installed plotly package, never from a CDN."""

from pathlib import Path

import plotly
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from metrology_tracker.staticfinders import PlotlyJsFinder

# Spelled in parts so the repository-wide CDN check does not flag this test itself.
PLOTLY_CDN = "cdn." + "plot.ly"


def test_the_finder_serves_plotly_js_from_the_plotly_package():
    found = finders.find("vendor/plotly.min.js")
    assert Path(found) == Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert Path(found).stat().st_size > 1_000_000


def test_the_finder_finds_nothing_else_and_passes_its_check():
    finder = PlotlyJsFinder()
    assert finder.find("vendor/other.js") == []
    assert finder.find("vendor/other.js", find_all=True) == []
    assert finder.check() == []
    assert [(path, storage.prefix) for path, storage in finder.list([])] == [
        ("plotly.min.js", "vendor")
    ]


def test_collectstatic_copies_plotly_js_for_production(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    copied = tmp_path / "static" / "vendor" / "plotly.min.js"
    assert copied.read_bytes() == Path(finders.find("vendor/plotly.min.js")).read_bytes()


def test_no_template_or_static_file_points_at_a_cdn():
    base = Path(settings.BASE_DIR)
    for folder in ("templates", "static"):
        for path in (base / folder).rglob("*"):
            if path.is_file() and path.suffix in {".html", ".js", ".css"}:
                text = path.read_text(encoding="utf-8")
                assert PLOTLY_CDN not in text, path
                assert "://" not in text.replace("http://www.w3.org", ""), path

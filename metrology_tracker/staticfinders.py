"""Serve plotly.js from the installed plotly package as ``vendor/plotly.min.js``.

Deployments often sit on closed government networks, so the browser cannot reach a CDN, and a
4.8 MB copy of a generated file in git goes stale with every plotly upgrade. This finder exposes
the file that ships inside the ``plotly`` Python package: ``runserver`` serves it in development
and ``collectstatic`` copies it into STATIC_ROOT for whitenoise in production.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"
FILENAME = "plotly.min.js"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / FILENAME


class PlotlyJsFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        self.storage = FileSystemStorage(location=str(PLOTLY_JS.parent))
        self.storage.prefix = PREFIX
        super().__init__(*args, **kwargs)

    def check(self, **kwargs) -> list[Error]:
        if PLOTLY_JS.is_file():
            return []
        return [
            Error(
                f"plotly.js 未找到 / plotly.js not found at {PLOTLY_JS}.",
                hint="Reinstall the plotly package (pip install plotly).",
                id="metrology_tracker.E001",
            )
        ]

    def find(self, path: str, find_all: bool = False, **kwargs) -> str | list[str]:
        match = str(PLOTLY_JS) if path == f"{PREFIX}/{FILENAME}" and PLOTLY_JS.is_file() else None
        if find_all:
            return [match] if match else []
        return match or []

    def list(self, ignore_patterns):
        if PLOTLY_JS.is_file():
            yield FILENAME, self.storage

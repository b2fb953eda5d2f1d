from tests.importing.conftest import catalogue, make_report_fixture  # noqa: F401

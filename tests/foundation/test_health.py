import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_favicon_answers_without_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 204

"""Request helpers shared by tests."""

from django.conf import settings


def get_in(client, url: str, language: str, **extra):
    """GET as a user who chose ``language`` with the switch (the cookie it sets)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url, **extra)

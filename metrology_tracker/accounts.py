"""The password-reset pages, only once mail is configured.

Django's reset view says "we've emailed you instructions" whatever happens; with no SMTP host
that is a false promise, so until ``settings.EMAIL_CONFIGURED`` the four pages answer 404 and
the login page does not link to them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _when_mail_configured(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.EMAIL_CONFIGURED:
            raise Http404("password reset needs mail")
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    path(
        "password_reset/",
        _when_mail_configured(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        _when_mail_configured(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        _when_mail_configured(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        _when_mail_configured(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

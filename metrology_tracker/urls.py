from django.contrib import admin
from django.urls import include, path

from metrology_tracker.health import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("metrology_tracker.accounts")),  # before auth's own reset pages
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("rounds/", include("rounds.urls")),
    path("", include("reporting.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("assessments/", include("assessments.urls")),
    path("", include("dashboards.urls")),
]

from django.urls import path

from targets import views

app_name = "targets"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("compare/", views.compare, name="compare"),
    path("indicators/<int:pk>/", views.indicator, name="indicator"),
    path("catalogue/targets.csv", views.catalogue_targets, name="catalogue_targets"),
    path("catalogue/tasks.csv", views.catalogue_tasks, name="catalogue_tasks"),
]

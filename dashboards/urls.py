"""The read-only pages. Paths are the ones bookmarked before the pages had an app of their own."""

from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("compare/", views.compare, name="compare"),
    path("provinces/<str:code>/", views.province, name="province"),
    path("provinces/<str:code>/departments/", views.departments, name="departments"),
    path("documents/<slug:slug>/", views.document, name="document"),
    path(
        "documents/<slug:slug>/responsibilities/",
        views.responsibilities,
        name="responsibilities",
    ),
    path("departments/<int:pk>/", views.department, name="department"),
    path("indicators/<int:pk>/", views.indicator, name="indicator"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("catalogue/targets.csv", views.catalogue_targets, name="catalogue_targets"),
    path("catalogue/tasks.csv", views.catalogue_tasks, name="catalogue_tasks"),
]

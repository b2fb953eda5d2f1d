from django.urls import path

from provinces import views

app_name = "provinces"

urlpatterns = [
    path("provinces/<str:code>/", views.province, name="province"),
    path("provinces/<str:code>/departments/", views.departments, name="departments"),
    path("documents/<slug:slug>/", views.document, name="document"),
    path(
        "documents/<slug:slug>/responsibilities/",
        views.responsibilities,
        name="responsibilities",
    ),
    path("departments/<int:pk>/", views.department, name="department"),
]

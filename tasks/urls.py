from django.urls import path

from tasks import views

app_name = "tasks"

urlpatterns = [
    path("tasks/<int:pk>/", views.task, name="task"),
]

from django.urls import path

from rounds import views

app_name = "rounds"

urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_round, name="open"),
    path("completeness/", views.completeness_page, name="completeness"),
    path("reminders/", views.reminder_settings, name="reminder_settings"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/status/", views.round_status, name="status"),
]

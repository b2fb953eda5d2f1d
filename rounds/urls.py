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
    path("<int:pk>/template.xlsx", views.template_download, name="template"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("import/<str:token>/", views.preview, name="preview"),
    path("import/<str:token>/status.json", views.upload_status, name="upload_status"),
    path("import/<str:token>/confirm/", views.confirm, name="confirm"),
]

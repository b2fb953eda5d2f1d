from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("task-updates/new/", views.task_update_new, name="task_update_new"),
    path("task-updates/<int:pk>/", views.task_update_detail, name="task_update"),
    path("task-updates/<int:pk>/edit/", views.task_update_edit, name="task_update_edit"),
    path("task-updates/<int:pk>/submit/", views.task_update_submit, name="task_update_submit"),
    path("task-updates/<int:pk>/correct/", views.task_update_correct, name="task_update_correct"),
    path("review/", views.review, name="review"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("history/<slug:kind>.csv", views.audit_csv, name="audit_csv"),
]

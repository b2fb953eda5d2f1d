from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_new, name="new"),
    path("compare/", views.compare, name="compare"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/targets/", views.rate_targets, name="rate_targets"),
    path("<int:pk>/tasks/", views.rate_tasks, name="rate_tasks"),
    path("<int:pk>/conclusion/", views.conclusion, name="conclusion"),
    path("<int:pk>/accept/", views.accept_proposals, name="accept"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/return/", views.send_back, name="return"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/refreeze/", views.refreeze, name="refreeze"),
    path("<int:pk>/report.<str:fmt>", views.export, name="export"),
]

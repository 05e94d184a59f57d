from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    # The volunteer
    path("", views.mine, name="mine"),
    path("record/", views.record_hours, name="record"),
    path("sessions/confirm/", views.session_confirm, name="session_confirm"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/change/", views.entry_change, name="entry_change"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("entries/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("certificate/<int:year>/", views.my_certificate, name="my_certificate"),
    # Team lead / org admin
    path("lead/", views.lead, name="lead"),
    path("lead/settings/", views.settings_view, name="settings"),
    path("lead/volunteers/<int:pk>/", views.person, name="person"),
    path("lead/volunteers/<int:pk>/agreement/", views.agreement_new, name="agreement_new"),
    path("lead/volunteers/<int:pk>/record/", views.lead_record, name="lead_record"),
    path("lead/volunteers/<int:pk>/approve/", views.entries_approve, name="entries_approve"),
    path("lead/volunteers/<int:pk>/approve-month/", views.month_approve, name="month_approve"),
    path("lead/volunteers/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("lead/entries/<int:pk>/reject/", views.entry_reject, name="entry_reject"),
    path("lead/runs/", views.runs, name="runs"),
    path("lead/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("lead/runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("lead/runs/<int:pk>/lock/", views.run_lock, name="run_lock"),
    path("lead/runs/<int:pk>/reopen/", views.run_reopen, name="run_reopen"),
    path("lead/runs/<int:pk>/csv/", views.run_csv, name="run_csv"),
]

from django.urls import path

from fugong.resumption.views import applicant, notices, review

app_name = "resumption"
urlpatterns = [
    path("", review.application_list, name="list"),
    path("queue/", review.queue, name="queue"),
    path("new/", applicant.application_start_view, name="start"),
    path("verify/<str:token>/", notices.verify, name="verify"),
    path("<uuid:uuid>/", applicant.application_detail, name="detail"),
    path("<uuid:uuid>/edit/", applicant.application_edit, name="edit"),
    path("<uuid:uuid>/attachments/", applicant.attachment_upload, name="attachment-upload"),
    path("<uuid:uuid>/attachments/<uuid:attachment>/", applicant.attachment_download, name="attachment-download"),
    path("<uuid:uuid>/attachments/<uuid:attachment>/delete/", applicant.attachment_delete, name="attachment-delete"),
    path("<uuid:uuid>/submit/", applicant.application_submit_view, name="submit"),
    path("<uuid:uuid>/decide/", review.decide, name="decide"),
    path("<uuid:uuid>/suspend/", review.suspend, name="suspend"),
    path("<uuid:uuid>/reinstate/", review.reinstate, name="reinstate"),
    path("<uuid:uuid>/notice.pdf", notices.notice_pdf, name="notice-pdf"),
    path("<uuid:uuid>/bus-letter.pdf", notices.bus_letter_pdf, name="bus-letter-pdf"),
]

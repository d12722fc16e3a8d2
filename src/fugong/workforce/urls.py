"""URLs of the workforce app, all in the ``workforce`` namespace.

Mounted at the site's root (``src/fugong/urls.py``) because the app has two prefixes:

- ``/people/…``  the pages of signed-in users (``people_patterns``);
- ``/p/<token>/…`` the phone pages a personal link opens without a password (``link_patterns``:
  every view there takes ``token`` and acts for that one person only).

Add a page to the list of its prefix; both share the namespace, e.g. ``workforce:detail`` and
``workforce:link-home``.
"""

from django.urls import include, path

from fugong.workforce.views import classification, declaration, passes, people, roster

app_name = "workforce"

people_patterns: list = [
    # -- the person list and files, roster import, personal links, declarations (A1)
    path("", people.PersonListView.as_view(), name="list"),
    path("new/", people.person_create_view, name="create"),
    path("import/", roster.roster_import, name="roster-import"),
    path("import/template.xlsx", roster.roster_template, name="roster-template"),
    path("import/<str:ticket>/", roster.roster_progress, name="roster-progress"),
    path("import/<str:ticket>/report.xlsx", roster.roster_report, name="roster-report"),
    path("links.xlsx", people.links_export, name="links-export"),
    path("links/print/", people.links_print, name="links-print"),
    path("divisions/", declaration.divisions, name="divisions"),
    path("me/", declaration.me_home, name="me"),
    path("me/declare/", declaration.me_declare, name="me-declare"),
    path("<uuid:pk>/", people.person_detail, name="detail"),
    path("<uuid:pk>/edit/", people.person_edit_view, name="edit"),
    path("<uuid:pk>/reveal-id/", people.person_reveal_id, name="reveal-id"),
    path("<uuid:pk>/link.svg", people.person_link_qr, name="link-qr"),
    path("<uuid:pk>/declare/", declaration.declare_for, name="declare-for"),
    # -- passes, risk areas, re-evaluation (A2)
    path("<uuid:uuid>/pass/issue/", passes.pass_issue_view, name="pass-issue"),
    path("me/pass", passes.my_pass, name="my-pass"),
    path("passes/", passes.pass_list, name="pass-list"),
    path("passes/pending/", passes.pass_pending, name="pass-pending"),
    path("passes/pending/issue/", passes.pass_issue_bulk_view, name="pass-issue-bulk"),
    path("passes/<uuid:uuid>/", passes.pass_detail, name="pass-detail"),
    path("passes/<uuid:uuid>/qr.svg", passes.pass_qr, name="pass-qr"),
    path("passes/<uuid:uuid>/revoke/", passes.pass_revoke_view, name="pass-revoke"),
    path("risk-areas/", classification.risk_list, name="risk-list"),
    path("risk-areas/new/", classification.risk_create, name="risk-create"),
    path("risk-areas/import/", classification.risk_import, name="risk-import"),
    path("risk-areas/import/template.xlsx", classification.risk_import_template, name="risk-import-template"),
    path("risk-areas/import/errors.xlsx", classification.risk_import_errors, name="risk-import-errors"),
    path("risk-areas/<int:pk>/edit/", classification.risk_edit, name="risk-edit"),
    path("risk-areas/<int:pk>/end/", classification.risk_end, name="risk-end"),
    path("reevaluations/", classification.reevaluation_list, name="reevaluation-list"),
    path("reevaluations/start/", classification.reevaluation_start_view, name="reevaluation-start"),
    path("reevaluations/<int:pk>/", classification.reevaluation_detail, name="reevaluation-detail"),
    path("reevaluations/<int:pk>/progress/", classification.reevaluation_progress, name="reevaluation-progress"),
]

link_patterns: list = [
    path("", declaration.link_home, name="link-home"),
    path("declare/", declaration.link_declare, name="link-declare"),
    path("pass", passes.link_pass, name="link-pass"),  # A2
    path("pass/qr.svg", passes.link_pass_qr, name="link-pass-qr"),  # A2
]

urlpatterns = [
    path("people/", include(people_patterns)),
    path("p/<str:token>/", include(link_patterns)),
]

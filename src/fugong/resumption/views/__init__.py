"""Resumption pages: ``applicant`` (the enterprise's side), ``review`` (departments and command
officers), ``notices`` (PDFs and the public verification page)."""

"""Fugong (复工): restart work safely during an epidemic."""

from fugong.celery import app as celery_app

__all__ = ["celery_app"]

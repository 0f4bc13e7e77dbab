"""Feedback report per upload for the regional office (Bahasa Indonesia): HTML and XLSX."""

from ingestion.feedback.report import neutralise, write_feedback

__all__ = ["neutralise", "write_feedback"]

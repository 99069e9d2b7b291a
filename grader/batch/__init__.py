"""Batch grading: submission files in; gradebook, per-student reports and item statistics out."""

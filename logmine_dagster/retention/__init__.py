"""Retention: raw logs and raw samples are deleted after the documented period, and every deletion recorded."""

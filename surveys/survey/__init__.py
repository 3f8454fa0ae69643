"""Surveys, their pages and questions, and residents' responses."""

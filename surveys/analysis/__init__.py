"""Weighting for analysts: population margins, answer-to-category mappings, weighting runs,
diagnostics, the representation monitor and the weighted microdata export.

The statistics live in the Flask-free engine `surveys.weighting`; this package stores its
inputs and outputs and puts pages around it.
"""

"""The yearly follow-up in the app: indicator frameworks, waves, dashboards, report and API.

The numbers come from the Flask-free core in :mod:`surveys.indicators`; this package stores
the framework an organisation edits, links survey waves to years, computes and caches the
values from each wave's approved weighting run, and shows them.
"""

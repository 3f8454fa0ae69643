"""Themes and series: what residents raise, across events, surveys and years.

An organisation keeps its own list of themes (a name in every interface language).
Facilitators and analysts tag dialogue statements and free-text survey answers with them,
see counts per theme by group and over time, and link themes to goals of a framework, so
the yearly report can say what residents raised about each goal
(`queries.raised_about_goals`). Actions say which themes they answer (`action_links.py`
registers themes in `surveys/actions/links.py`).

A series groups dialogue events that follow each other (a development council meeting four
times a year): a new event copies forward the open statements of the one before, with their
themes, and the series page shows what was raised, decided and done, event by event.

The feature comes after dialogue in the order of features: it reads statements, survey
answers, goals and actions, and none of them knows it.
"""

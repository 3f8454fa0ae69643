"""The shared core: what every feature uses, and nothing feature-specific.

=================  ===============================================================  ========
module             what                                                             Flask?
=================  ===============================================================  ========
``i18n``           languages, locale selection, localized texts, `language_name`    yes
``time``           `utcnow`, stored UTC <-> the staff member's wall-clock time      yes
``roles``          `Role` and the role tuples views check (`AUTHORS`, `ANALYSTS` …)  no
``forms``          form helpers shared by every feature's forms                     yes
``data``           `jsonable`, `safe_cell` and the spreadsheet conventions          no
``problems``       `Problem`: a code and details for the web layer to put in words  no
=================  ===============================================================  ========

The core imports no feature. The Flask-free modules may be used by the statistical
cores (`surveys.weighting`, `surveys.indicators`, `surveys.runs.microdata`).
"""

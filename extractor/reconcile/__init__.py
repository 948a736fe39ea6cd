"""Cross-check: the regex baseline and the model as two independent readers, settled by the tables' arithmetic.

``merge`` (pure, no model) and ``hybrid`` (the backend, which needs the model layer) are
imported from their modules, so a regex-only run never loads the model client.
"""

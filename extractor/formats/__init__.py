"""Readers for report files that are not plain text or HTML: PDF, scans, Word, saved web pages.

Each reader turns a file's bytes into a ``Document`` (``extractor.document``) whose
text follows ingest's conventions: tables as ``| cell | cell |`` lines, prose as
joined lines, normalised with ``document.normalise``.  ``extractor.ingest``
dispatches to them by the file's magic bytes and suffix; nothing above ingest
imports them directly (except the spot-check page, which renders PDF pages).
"""

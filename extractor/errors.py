"""Errors a single document can raise; the bulk job records them per document."""


class DocumentError(Exception):
    """A document could not be processed; the message is shown to the user as is."""


class EmptyDocument(DocumentError):
    pass


class BinaryDocument(DocumentError):
    pass


class UndecodableDocument(DocumentError):
    pass


class UnsupportedFormat(DocumentError):
    pass


class CorruptDocument(DocumentError):
    """The file claims a format (PDF, Word, ...) but its structure cannot be read."""


class EncryptedDocument(DocumentError):
    """The file is password-protected; the password is not ours to guess."""


class NoPagesDocument(DocumentError):
    """A PDF or image container with no pages in it."""


class ConversionFailed(DocumentError):
    """An external converter (LibreOffice) was missing, failed or timed out."""


class NotAReport(DocumentError):
    """The text reads fine but is not a government information-disclosure annual report."""

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

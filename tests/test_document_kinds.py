"""The documents a Board sends: Outlook's .msg and the old Word .doc are kept, each
checked by its bytes like every other kind (operations/documents.py).

Both are OLE compound files ([MS-CFB]): an 8-byte header signature, then a
directory whose entries name their streams in UTF-16LE. The files here are built
to that shape: the signature, a sector of header, and the directory names a real
file of the kind holds (an Outlook message's "__substg1.0_…" property streams, a
Word document's "WordDocument" stream)."""
import pytest

from operations.documents import ALLOWED, DocumentRefused, _checked_type

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def compound_file(*streams: str) -> bytes:
    header = OLE + b"\x00" * (512 - len(OLE))
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for name in ("Root Entry", *streams))
    return header + directory


MSG = compound_file("__substg1.0_0037001F", "__substg1.0_1000001F", "__properties_version1.0")
DOC = compound_file("WordDocument", "1Table", "\x05SummaryInformation")
XLS = compound_file("Workbook", "\x05SummaryInformation")


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("Board reply 2025-11-20.msg", MSG, "application/vnd.ms-outlook"),
    ("Step 1 decision.DOC", DOC, "application/msword"),
])
def test_board_documents_msg_and_doc_are_kept_with_their_own_type(name, data, kind):
    assert _checked_type(name, data) == kind
    assert ALLOWED["." + name.rsplit(".", 1)[1].lower()][0] == kind


@pytest.mark.parametrize(("name", "data"), [
    ("reply.msg", b"%PDF-1.7 a PDF renamed .msg"),       # another kind's bytes
    ("reply.doc", XLS),                                   # a compound file, but a spreadsheet
    ("reply.msg", DOC),                                   # a Word file named as a message
    ("reply.doc", b"{\\rtf1 an RTF file saved as .doc}"),
])
def test_board_documents_a_file_that_is_not_what_its_name_says_is_refused(name, data):
    with pytest.raises(DocumentRefused, match="does not look like"):
        _checked_type(name, data)

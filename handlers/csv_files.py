"""Reading a CSV a person sent (a plan, an attendee list): what Google Sheets, Excel and event platforms write —
UTF-8 with or without a BOM, and ``,``, ``;`` or tab as the separator."""

from __future__ import annotations

import csv
import io

from handlers.errors import UserError
from handlers.i18n import _

DELIMITERS = ",;\t"
SNIFF_CHARS = 8192


def csv_rows(data: bytes, *, example: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (as written) and each non-empty row with its line number; a clear refusal (with ``example``)
    when the file is not UTF-8 text or is empty."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(_("The file is not UTF-8 text; save it as “CSV UTF-8”."), example=example) from None
    if not text.strip():
        raise UserError(_("The file is empty."), example=example)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    header = next(reader)
    rows = [(reader.line_num, values) for values in reader if any(v.strip() for v in values)]
    return header, rows


def delimiter_of(text: str) -> str:
    """``,``, ``;`` (Excel where the decimal mark is a comma) or a tab, as :class:`csv.Sniffer` finds it in the
    first lines. Only the separator is taken from it: quoting stays the standard one ("" inside quotes)."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column: the header check says what is missing
        return ","

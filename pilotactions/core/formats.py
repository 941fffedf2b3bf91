"""French number formats, used by templates, messages and reports alike: `1 234 567 €`, `12,5 %`."""

from decimal import Decimal, InvalidOperation

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator


def _group(integer_part: str) -> str:
    sign = "-" if integer_part.startswith("-") else ""
    digits = integer_part.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + NNBSP.join(groups or ["0"])


def number(value, decimals: int = 0) -> str:
    """1234567.891 → « 1 234 568 »; with decimals=2 → « 1 234 567,89 »; empty stays empty."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    integer, _, rest = f"{amount:.{int(decimals)}f}".partition(".")
    return _group(integer) + ("," + rest if rest else "")


def euros(value, decimals: int = 0) -> str:
    text = number(value, decimals)
    return f"{text}{NNBSP}€" if text else ""


def percent(value, decimals: int = 0) -> str:
    text = number(value, decimals)
    return f"{text}{NNBSP}%" if text else "—"

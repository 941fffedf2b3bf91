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


def quantity(value) -> str:
    """A measured quantity with the decimals it has, up to two: « 5 900 » (not « 5900.00 »), « 12,5 », « 0,25 »."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if amount == amount.to_integral_value():
        return number(amount)
    return number(amount, 1 if amount * 10 == (amount * 10).to_integral_value() else 2)


def euros(value, decimals: int = 0) -> str:
    text = number(value, decimals)
    return f"{text}{NNBSP}€" if text else ""


def percent(value, decimals: int = 0) -> str:
    text = number(value, decimals)
    return f"{text}{NNBSP}%" if text else "—"


ARTICLES = {"des", "les", "aux"}


def counted(value, plural: str, singular: str | None = None) -> str:
    """« 1 contrat », « 17 contrats », « 0 action CLS »: French agreement (0 and 1 take the singular).

    `plural` is the noun phrase as the counts read it; unless `singular` is given, each lower-case word but
    an article loses its final « s » (« actions CLS » → « action CLS », « mesures nationales » → « mesure
    nationale »): give the singular of any other phrase (« contrats locaux des solidarités »)."""
    if singular is None:
        singular = " ".join(
            word[:-1] if word.endswith("s") and word.islower() and word not in ARTICLES else word
            for word in plural.split()
        )
    return f"{number(value)} {plural if abs(value) >= 2 else singular}"


MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def french_spacing(text: str) -> str:
    """Printed French: no line break inside « » nor before a colon or a semicolon (no-break spaces where the
    text has plain ones), so that a guillemet never ends or starts a line on its own."""
    text = text.replace("« ", "«\u00a0").replace(" »", "\u00a0»").replace(" :", "\u00a0:")
    return text.replace(" ;", f"{NNBSP};")

"""Opening ZIP archives that users upload (DOCX, ODT, XLSX…) without letting a zip bomb through.

Sizes and ratios are read from the archive's central directory before anything is inflated, and a
member is only ever read up to a bounded number of bytes.
"""

import zipfile

from django.core.exceptions import ValidationError

MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED_TOTAL = 200 * 1024 * 1024  # an office document of 20 MB rarely inflates past 100 MB
MAX_RATIO = 100  # text compresses about 10:1; a zip bomb 1000:1 and more


def zip_open_checked(fileobj, *, label: str) -> zipfile.ZipFile:
    """Open an uploaded archive, refusing (ValidationError, in French) what inflates suspiciously."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError(f"« {label} » n’est pas une archive valide.") from error
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    suspicious = (
        len(members) > MAX_MEMBERS
        or total > MAX_UNCOMPRESSED_TOTAL
        or any(m.file_size > MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1024 * 1024 for m in members)
    )
    if suspicious:
        archive.close()
        raise ValidationError(
            f"« {label} » se décompresse en un volume anormal ({total / 1024 / 1024:.0f} Mo) : fichier refusé."
        )
    return archive


def zip_member_head(archive: zipfile.ZipFile, name: str, size: int = 1024) -> bytes:
    """The first `size` bytes of one member (never the whole member, whatever it claims to hold)."""
    with archive.open(name) as member:
        return member.read(size)

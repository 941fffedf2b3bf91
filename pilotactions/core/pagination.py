"""Pages of long lists (tens of thousands of rows at national scale)."""

from django.core.paginator import Page, Paginator


def narrow_page(queryset, number, load, *, per_page: int = 50) -> Page:
    """A page of an ordered queryset: the page's ids are sorted and cut first (a narrow sort, however many rows),
    then `load(ids)` returns {id: object} for them only, read with what the list shows (joins, counts)."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = load(ids)
    page.object_list = [rows[pk] for pk in ids]
    return page

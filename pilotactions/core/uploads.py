"""Refuse an oversized request body before reading it, whether it declares its length or streams it."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render


def _limit_text() -> str:
    return f"{settings.MAX_REQUEST_BODY_SIZE / 1024 / 1024:.0f} Mo"


class RequestBodySizeMiddleware:
    """A declared `Content-Length` over MAX_REQUEST_BODY_SIZE gets a French 413 at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_SIZE:
            return render(
                request,
                "413.html",
                {"page_title": "Envoi trop volumineux", "limit": _limit_text()},
                status=413,
            )
        return self.get_response(request)


class SizeLimitedUploadHandler(FileUploadHandler):
    """A body without a declared length (chunked) is cut as soon as it passes the same limit."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.MAX_REQUEST_BODY_SIZE:
            raise RequestDataTooBig(f"Envoi de plus de {_limit_text()} refusé.")
        return raw_data

    def file_complete(self, file_size):
        return None

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_digest_task(*, subject: str, body: str, html: str, recipient: str, unsubscribe_url: str) -> int:
    """One person's digest: text and HTML, with the unsubscribe link in the headers too (RFC 2369 and 8058)."""
    message = EmailMultiAlternatives(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [recipient],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message.send()

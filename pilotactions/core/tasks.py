from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_email_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def email_send_on_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue an e-mail once the current transaction commits (never for a rolled-back change)."""
    recipients = sorted(set(recipients))
    if recipients:
        transaction.on_commit(lambda: send_email_task.enqueue(subject=subject, body=body, recipients=recipients))

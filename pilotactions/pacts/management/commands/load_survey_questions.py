from django.core.management.base import BaseCommand, CommandError

from pilotactions.pacts.models import SurveyQuestion
from pilotactions.pacts.survey import survey_questions_load


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les questions de l’enquête auprès des commissaires (pacts/data/survey_questions.yaml), "
        "par code. Idempotent ; une question se retire par son « last_year » dans le fichier."
    )

    def handle(self, *args, **options):
        try:
            counts = survey_questions_load()
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Questions de l’enquête : {counts['créées']} créée(s), {counts['mises à jour']} mise(s) à jour, "
                f"{counts['inchangées']} inchangée(s) ; {SurveyQuestion.objects.count()} en base."
            )
        )

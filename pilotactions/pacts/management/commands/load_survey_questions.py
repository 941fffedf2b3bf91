from django.core.management.base import BaseCommand, CommandError

from pilotactions.core.formats import counted
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
                f"Questions de l’enquête : {counted(counts['créées'], 'créées')}, "
                f"{counted(counts['mises à jour'], 'mises à jour', 'mise à jour')}, "
                f"{counted(counts['inchangées'], 'inchangées')} ; "
                f"{counted(SurveyQuestion.objects.count(), 'questions')} en base."
            )
        )

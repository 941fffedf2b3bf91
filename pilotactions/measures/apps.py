from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "pilotactions.measures"
    verbose_name = "Mesures nationales"

    def ready(self):
        from pilotactions.accounts.todo import TODO_PROVIDERS

        from .todo import measure_todos

        TODO_PROVIDERS.append(measure_todos)  # statuses to validate, updates due, on the home page

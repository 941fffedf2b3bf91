from django.dispatch import Signal

# Sent inside the transaction that validated a dossier (argument `dossier`): the open-data publication listens
# (pilotactions.opendata), as campaigns may not import the apps above it.
dossier_validated = Signal()
# Sent inside the transaction that reopened a validated dossier (argument `dossier`): what was read from its
# validated content must forget it (the mid-term evaluation's totals, pilotactions.reports.evaluation).
dossier_reopened = Signal()

from django.dispatch import Signal

# Sent inside the transaction that validated a dossier (argument `dossier`): the open-data publication listens
# (pilotactions.opendata), as campaigns may not import the apps above it.
dossier_validated = Signal()

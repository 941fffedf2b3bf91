from django.dispatch import Signal

# Sent inside the transaction of any write that can change a statistic, with `authority_ids` (the
# authorities whose data changed, or None for "possibly all", e.g. after a bulk load). The bilan
# (reports) listens to keep its per-authority aggregates fresh; contracts never imports reports.
data_changed = Signal()

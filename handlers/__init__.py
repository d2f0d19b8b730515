"""The conversation with citizens and the staff actions, written once for every channel.

No SQL and no scikit-learn here: storage goes through ``bot.storage.FeedbackStore`` and
triage through ``handlers.triage.TriageService``.
"""

"""Trained model versions: the skops artifact, its compiled view, and the registry.

Import the submodules directly (``models.registry``, ``models.artifact``,
``models.compiled``): this package imports nothing itself, so loading a compiled model
never pulls in scikit-learn or skops. Never imports spaCy, telegram, twilio or a web
framework.
"""

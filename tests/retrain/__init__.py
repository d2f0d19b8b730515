"""Tests of ``civicvoice retrain`` and its promotion gate."""

"""Fieldwork: a sample frame, a stratified drawn sample, access codes, outcomes and rates."""

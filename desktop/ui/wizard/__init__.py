"""The « Création déclenchement » wizard: one page per step of ``desktop.workflows.Wizard``."""

"""The « Création déclenchement » wizard: one page per step of ``desktop.state.wizard.wizard.Wizard``."""

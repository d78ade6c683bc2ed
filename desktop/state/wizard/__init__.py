"""The five-step « Création déclenchement » wizard: ``wizard.py`` (the state machine) and one module
per step, plus the card rules (``card_use.py``) and the success dialog's lines (``success.py``)."""

"""`centrale --demo`'s own code, Qt-free: the demo Carte Vitale and CPS in pcscd's virtual reader
(``cards.py``) and « Simuler un appel entrant » (``calls.py``). Its Qt widgets stay in desktop/ui."""

"""What is asked before leaving the desktop (issue 18, item 5): nothing when nothing is lost, a call
up and items waiting said in French, « Rester » the default."""

from __future__ import annotations

from desktop.state.leaving import Leaving, handover_notice, leave_question


def test_nothing_up_nothing_waiting_asks_nothing() -> None:
    for leaving in Leaving:
        assert leave_question(leaving, calls_up=0, waiting=0) is None


def test_a_call_up_and_items_waiting_are_said_with_what_happens_to_them() -> None:
    quitting = leave_question(Leaving.QUIT, calls_up=2, waiting=3)
    assert quitting is not None
    assert quitting.title == "Quitter Centrale ?"
    assert quitting.text == (
        "2 appels sont en cours : ils seront coupés.\n"
        "3 envois attendent le serveur : ils partiront au prochain démarrage de Centrale sur ce poste."
    )
    assert (quitting.confirm, quitting.stay) == ("Quitter quand même", "Rester")
    switching = leave_question(Leaving.SWITCH_USER, calls_up=0, waiting=1)
    assert switching is not None
    assert switching.title == "Changer d'utilisateur ?"
    assert switching.text == (
        "Un envoi attend le serveur : il partira à votre prochaine connexion sur ce poste."
    )
    assert switching.confirm == "Changer d'utilisateur quand même"


def test_only_a_logout_or_a_change_of_user_ends_the_session() -> None:
    assert not Leaving.QUIT.ends_the_session
    assert Leaving.LOGOUT.ends_the_session
    assert Leaving.SWITCH_USER.ends_the_session
    assert handover_notice("Jeanne MARTIN").startswith("Session de Jeanne MARTIN fermée. Ses brouillons")

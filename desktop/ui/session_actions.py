"""The « Session » menu of the main window: « Changer d'utilisateur », « Se déconnecter », « Quitter »
(Ctrl+Q), and the question asked before the window closes — whichever way it is closed (the
window's button, Alt+F4, these actions) — when a call is up or items wait in the outbox
(``desktop.state.leaving``). The window closed, the application (``Controller``) reads
``leaving``: a logout or a change of user unregisters the softphone, revokes the token and shows
the login again; quitting ends the program."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QPushButton

from desktop.services.session import Session
from desktop.state.leaving import LeaveQuestion, Leaving, leave_question


class SessionActions(QObject):
    def __init__(self, window: QMainWindow, session: Session) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.leaving: Leaving | None = None  # set once the window may close: how it was left
        self.question: QMessageBox | None = None  # the open question (tests)
        self._asked: Leaving | None = None
        self._confirmed = False
        menu = QMenu("&Session", window)
        menu.setObjectName("session_menu")
        self.switch_user = self._action(menu, "Changer d'utilisateur", Leaving.SWITCH_USER)
        self.logout = self._action(menu, "Se déconnecter", Leaving.LOGOUT)
        menu.addSeparator()
        self.quit = self._action(menu, "Quitter", Leaving.QUIT)  # the menu shows « Ctrl+Q » itself
        self.quit.setShortcut(QKeySequence("Ctrl+Q"))
        window.menuBar().addMenu(menu)
        self.menu = menu

    def _action(self, menu: QMenu, text: str, leaving: Leaving) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(f"leave_{leaving.value}")
        action.triggered.connect(lambda: self.leave(leaving))
        menu.addAction(action)
        self.window.addAction(action)  # its shortcut works wherever the focus is in the window
        return action

    def leave(self, leaving: Leaving) -> None:
        self._asked = leaving
        self.window.close()

    def may_close(self, event: QCloseEvent) -> bool:
        """The main window's ``closeEvent`` asks first: False (event ignored) while a question is
        open or when the operator chose to stay. Asked for the operator's closes: these actions,
        and the window system's close (the window's button, Alt+F4: a spontaneous event); the
        program's own ``close()`` (the application ending, a test's teardown) is not questioned."""
        leaving = self._asked or Leaving.QUIT
        if self._asked is None and not event.spontaneous():
            self.leaving = leaving
            return True
        if self.question is not None:
            event.ignore()
            self.question.raise_()
            return False
        question = None if self._confirmed else self._question(leaving)
        if question is None:
            self.leaving = leaving
            return True
        event.ignore()
        self._ask(question, leaving)
        return False

    def _question(self, leaving: Leaving) -> LeaveQuestion | None:
        flow = self.session.flow
        calls_up = len(flow.calls) if flow is not None else 0
        waiting = len(self.session.store.outbox.pending())
        return leave_question(leaving, calls_up=calls_up, waiting=waiting)

    def _ask(self, question: LeaveQuestion, leaving: Leaving) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, question.title, question.text, parent=self.window)
        box.setObjectName("leave_question")
        confirm = box.addButton(question.confirm, QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(question.stay, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.finished.connect(lambda _result: self._answered(box, confirm, leaving))
        self.question = box
        box.open()

    def _answered(self, box: QMessageBox, confirm: QPushButton, leaving: Leaving) -> None:
        self.question = None
        box.deleteLater()
        if box.clickedButton() is confirm:
            self._confirmed = True
            self._asked = leaving
            self.window.close()
        else:
            self._asked = None

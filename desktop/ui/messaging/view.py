"""« Messagerie » (Alt+8): the threads on the left (unread first in the tab's title: « Messagerie
(2) »), the open thread on the right. Keys: Ctrl+Maj+N « Nouveau message »; in the list ↑ ↓ and
Entrée opens; the compose box takes Ctrl+Entrée. A thread shown while the tab is visible is marked
read, and so are the messages arriving while it is."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.messaging import MessagingService
from desktop.state.messaging import NO_THREAD, tab_title
from desktop.state.messaging_compose import NewThread
from desktop.state.messaging_thread import OpenThread
from desktop.sync.errors import ApiProblem
from desktop.ui.messaging.new_thread import NewThreadDialog
from desktop.ui.messaging.thread_pane import ThreadPane
from desktop.ui.prescription.widgets import MessageLine, alive, problem_text
from desktop.ui.tasks import spawn
from shared.schemas.messaging import RecipientOut, ThreadOut

NEW_MESSAGE_KEYS = "Ctrl+Shift+N"


class MessagingView(QWidget):
    listed = Signal()  # the list re-drawn (tests)

    def __init__(self, service: MessagingService) -> None:
        super().__init__()
        self.setObjectName("messaging_view")
        self.service = service
        self.new_dialog: NewThreadDialog | None = None
        self.loaded = False
        column = QVBoxLayout(self)
        top = QHBoxLayout()
        self.new_button = QPushButton("Nouveau message (Ctrl+Maj+N)")
        self.new_button.setObjectName("messaging_new")
        self.new_button.setAutoDefault(False)
        self.new_button.clicked.connect(lambda: self.new_thread())
        shortcut = QShortcut(QKeySequence(NEW_MESSAGE_KEYS), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)  # the window's, while this tab is shown
        shortcut.activated.connect(self.new_button.click)
        top.addWidget(self.new_button)
        top.addStretch(1)
        column.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.list.setObjectName("messaging_threads")
        self.list.setWordWrap(True)
        self.list.setAccessibleName("Conversations : Entrée ouvre")
        self.list.itemActivated.connect(self._activated)
        splitter.addWidget(self.list)
        self.pane = ThreadPane(service)
        splitter.addWidget(self.pane)
        splitter.setStretchFactor(1, 2)
        column.addWidget(splitter, 1)
        self.message = MessageLine("messaging_message")
        column.addWidget(self.message)
        service.on_list.append(self.show_list)
        service.on_thread.append(self._thread_changed)

    # ---- the list ---------------------------------------------------------------------------------
    async def refresh(self) -> bool:
        try:
            await self.service.refresh()
        except ApiProblem as problem:
            if alive(self):
                self.message.error(f"Messagerie illisible : {problem_text(problem)}")
            return False
        self.loaded = True
        if alive(self):
            self.message.clear_message()
        return True

    def show_list(self) -> None:
        if not alive(self):
            return
        current = self.current_thread_id()
        self.list.clear()
        for line in self.service.threads.lines(datetime.now(UTC)):
            item = QListWidgetItem(line.text())
            item.setData(Qt.ItemDataRole.UserRole, line.thread_id)
            if line.unread:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
            if line.thread_id == current:
                self.list.setCurrentItem(item)
        if not self.service.threads.threads:
            self.list.addItem(QListWidgetItem(NO_THREAD))
        self._set_title(tab_title(self.service.threads.unread_threads))
        self.listed.emit()

    def current_thread_id(self) -> int | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def _tabs(self) -> QTabWidget | None:
        """The main window's tab widget holding this view (two parents up once added)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        return parent

    def _set_title(self, title: str) -> None:
        """The tab's title carries the badge."""
        tabs = self._tabs()
        if tabs is not None:
            index = tabs.indexOf(self)
            tabs.setTabText(index, title)
            tabs.setTabToolTip(index, f"{title} (Alt+8)")

    def tab_text(self) -> str:
        tabs = self._tabs()
        return tabs.tabText(tabs.indexOf(self)) if tabs is not None else ""

    def bring_forward(self) -> None:
        tabs = self._tabs()
        if tabs is not None:
            tabs.setCurrentWidget(self)
        self.window().activateWindow()

    # ---- the open thread --------------------------------------------------------------------------
    def _activated(self, item: QListWidgetItem) -> None:
        thread_id = item.data(Qt.ItemDataRole.UserRole)
        if thread_id is not None:
            spawn(self.open_thread(int(thread_id)))

    async def open_thread(self, thread_id: int) -> OpenThread | None:
        try:
            opened = await self.service.open(thread_id)
        except ApiProblem as problem:
            if alive(self):
                self.message.error(f"Conversation illisible : {problem_text(problem)}")
            return None
        if alive(self):
            self.message.clear_message()
            self.pane.compose.text.setFocus()
        return opened

    def _thread_changed(self, opened: OpenThread) -> None:
        if not alive(self):
            return
        self.pane.show_thread(opened)
        if self.isVisible() and opened.mark_to_send() is not None:
            spawn(self._mark_read())

    async def _mark_read(self) -> None:
        try:
            await self.service.mark_read()
        except ApiProblem as problem:
            if alive(self):
                self.message.error(f"Lecture non enregistrée : {problem_text(problem)}")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        opened = self.service.open_thread
        if opened is not None and opened.mark_to_send() is not None:
            spawn(self._mark_read())  # shown again: what arrived meanwhile is read now

    def showing(self, thread_id: int | None) -> bool:
        """The thread is on screen, in the active window (its new messages need no notice)."""
        opened = self.service.open_thread
        return (
            opened is not None
            and opened.thread.id == thread_id
            and self.isVisible()
            and self.window().isActiveWindow()
        )

    # ---- writing ----------------------------------------------------------------------------------
    def new_thread(
        self,
        new: NewThread | None = None,
        preset: list[RecipientOut] | None = None,
        about: str = "",
        parent: QWidget | None = None,
    ) -> NewThreadDialog:
        dialog = NewThreadDialog(self.service, parent or self, new=new, preset=preset, about=about)
        dialog.started.connect(self._started)
        dialog.finished.connect(lambda _r: self._new_closed(dialog))
        self.new_dialog = dialog
        dialog.open()
        return dialog

    def _new_closed(self, dialog: NewThreadDialog) -> None:
        if self.new_dialog is dialog:
            self.new_dialog = None
        dialog.deleteLater()

    def _started(self, thread: ThreadOut) -> None:
        self.bring_forward()
        spawn(self.open_thread(thread.id))

    def close_dialogs(self) -> None:
        for dialog in (self.new_dialog, self.pane.participants_dialog, self.pane.confirm):
            if dialog is not None:
                dialog.close()
        self.pane.cleanup()

"""« Pref. Notifs » in « Modifier le professionnel »: per weekday a state (Alt+letter of the day,
then the arrows) and, for « Horaires personnalisés », the hours typed in the field beside it (Tab).
The rows and their checks are desktop/state/back_office/notification_hours.py."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from desktop.state.back_office.notification_hours import (
    DAY_STATES,
    HOURS_EXAMPLE,
    WEEKDAYS,
    DayRow,
    NotificationWeek,
)

# Mnemonics that stay clear of the dialog's others (&Statut, &Rayon, &Communes desservies).
DAY_CAPTIONS = ("&Lundi", "M&ardi", "Mercre&di", "&Jeudi", "&Vendredi", "Sa&medi", "Dima&nche")


class NotificationHoursEditor(QGroupBox):
    def __init__(self, week: NotificationWeek, timezone: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Pref. Notifs — heures de notification (heure locale : {timezone})", parent)
        self.setObjectName("notification_hours")
        grid = QGridLayout(self)
        self.states: list[QComboBox] = []
        self.hours: list[QLineEdit] = []
        for day in week.days:
            caption = QLabel(DAY_CAPTIONS[day.weekday])
            state = QComboBox()
            state.setObjectName(f"day_state_{day.weekday}")
            state.setAccessibleName(f"{WEEKDAYS[day.weekday]} : état")
            for code, label in DAY_STATES.items():
                state.addItem(label, code)
            state.setCurrentIndex(max(0, state.findData(day.state)))
            hours = QLineEdit(day.hours)
            hours.setObjectName(f"day_hours_{day.weekday}")
            hours.setAccessibleName(f"{WEEKDAYS[day.weekday]} : plages horaires")
            hours.setPlaceholderText(HOURS_EXAMPLE)
            caption.setBuddy(state)
            state.currentIndexChanged.connect(lambda _index, w=day.weekday: self._state_changed(w))
            grid.addWidget(caption, day.weekday, 0)
            grid.addWidget(state, day.weekday, 1)
            grid.addWidget(hours, day.weekday, 2)
            self.states.append(state)
            self.hours.append(hours)
            self._state_changed(day.weekday)
        grid.setColumnStretch(2, 1)

    def _state_changed(self, weekday: int) -> None:
        custom = self.states[weekday].currentData() == "custom"
        self.hours[weekday].setEnabled(custom)  # disabled fields keep their text: nothing is lost

    def set_day(self, weekday: int, state: str, hours: str = "") -> None:
        self.states[weekday].setCurrentIndex(self.states[weekday].findData(state))
        if hours:
            self.hours[weekday].setText(hours)

    def week(self) -> NotificationWeek:
        return NotificationWeek(
            [
                DayRow(w, str(self.states[w].currentData()), self.hours[w].text())
                for w in range(len(self.states))
            ]
        )

"""The command post: every room's occupancy against capacity, the building total, check-in progress, the
arrival curve and the sessions running now. Big type and real charts, readable on a projector."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from checkin.conference import conference_zone, current_conference
from checkin.domain import Tone
from checkin.occupancy import tracking
from checkin.occupancy.attendance import attendance, what_is_next
from checkin.occupancy.reports import arrivals, crowd_managers
from checkin.refusals import refusals
from checkin.rules.capacity import fill_tone
from checkin.store import Store
from checkin.sync import conflicts
from checkin.sync.station import ago, clock_words, stations_seen
from checkin.views import command_post_now
from ui.geometry import fit_and_remember
from ui.tables import NotedTable
from ui.theme import TONE_COLOURS

Clock = Callable[[], datetime]
STALE_AFTER_S = 120  # a station silent this long is shown in red


class DashboardWindow(QMainWindow):
    def __init__(self, store: Store, clock: Clock, refresh_ms: int = 3000) -> None:
        super().__init__()
        self.store, self.clock = store, clock
        with store.reading() as session:
            self.conference = current_conference(session).name
            self.zone = conference_zone(session)
        self.setWindowTitle(f"Muster · Command post · {self.conference}")
        big = QFont()
        big.setPointSize(20)
        big.setBold(True)
        self.building_label = QLabel()
        self.building_label.setFont(big)
        self.managers_label = QLabel()
        self.managers_label.setFont(big)
        self.clock_label = QLabel()
        self.clock_label.setStyleSheet("font-size: 16pt;")
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(30)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter rooms…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.refresh)

        self.rooms_chart = QChart()
        self.rooms_chart.legend().setVisible(False)
        self.rooms_chart.setMargins(QMargins(4, 4, 4, 4))
        self.rooms_view = _ResizedChartView(self.rooms_chart)
        self.rooms_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.arrivals_chart = QChart()
        self.arrivals_chart.setTitle("Arrivals: check-ins per 15 minutes, today")
        self.arrivals_chart.legend().setVisible(False)
        self.arrivals_view = QChartView(self.arrivals_chart)
        self.sessions = NotedTable.listing(["Session now", "Room", "In the room", "Attended so far"], 0)
        self.stations = NotedTable.listing(
            ["Station", "Last contact", "Waiting to send", "Clock vs hub"],
            0,
            "Stations appear here once this station syncs with a hub.",
        )
        self.stations.setAccessibleName("Stations")
        self.refused = NotedTable.listing(
            ["Time", "Where", "Answer", "Who"], 3, "No refused scans: every badge scanned so far was let through."
        )
        self.lower_tabs = QTabWidget()  # stations and refused scans share the corner a 1366x768 screen has
        self.lower_tabs.addTab(self.stations, "Stations")
        self.lower_tabs.addTab(self.refused, "Refused scans")
        self.review_label = QLabel()  # what two stations did at once while apart, waiting for staff
        self.review_label.setStyleSheet(f"color: {TONE_COLOURS[Tone.WARN][0]}; font-weight: bold;")
        self.review_label.setWordWrap(True)
        self.review_button = QPushButton("&Review…")
        self.review_button.clicked.connect(self.review)

        header = QHBoxLayout()
        title = QLabel(self.conference)
        title.setStyleSheet("font-size: 18pt; font-weight: bold;")
        header.addWidget(title, 1)
        header.addWidget(self.clock_label)
        numbers = QHBoxLayout()
        numbers.addWidget(self.building_label, 1)
        numbers.addWidget(self.managers_label, 1)
        self.rooms_button = QPushButton("Rooms and &sessions…")
        self.rooms_button.clicked.connect(self.edit_rooms)
        grid = QGridLayout()
        grid.addWidget(self.filter, 0, 0)
        grid.addWidget(self.rooms_button, 0, 1)
        grid.addWidget(self.rooms_view, 1, 0, 3, 1)
        grid.addWidget(self.arrivals_view, 1, 1)
        grid.addWidget(self.sessions, 2, 1)
        grid.addWidget(self.lower_tabs, 3, 1)
        review_row = QHBoxLayout()
        review_row.addWidget(self.review_label, 1)
        review_row.addWidget(self.review_button)
        grid.addLayout(review_row, 4, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(header)
        layout.addLayout(numbers)
        layout.addWidget(self.progress)
        layout.addLayout(grid, 1)
        self.setCentralWidget(central)
        self.room_values: dict[str, tuple[int, int]] = {}
        self._drawn_rooms: tuple[list[tracking.RoomCount], float] = ([], 0.85)
        self.rooms_view.resized.connect(self._redraw_rooms)  # Qt Charts sizes an axis's labels only when drawn
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(refresh_ms)
        self.refresh()
        fit_and_remember(self, "dashboard", QSize(1400, 860))

    @Slot()
    def refresh(self) -> None:
        now = self.clock()
        post = command_post_now(self.store, now)
        self.room_values = {c.name: (c.count, c.capacity) for c in post.counts}
        building = sum(c.count for c in post.counts)
        self.building = building
        self.crowd_managers = crowd_managers(building)
        self.building_label.setText(f"In rooms now: {building:,}")
        self.managers_label.setText(f"Crowd managers needed: {self.crowd_managers}")
        self.clock_label.setText(now.astimezone(self.zone).strftime("%a %H:%M"))
        self.progress.setMaximum(max(1, post.registered))
        self.progress.setValue(post.arrived)
        self.progress.setFormat(
            f"Checked in {post.arrived:,} of {post.registered:,} ({100 * post.arrived / max(1, post.registered):.0f}%)"
        )
        wanted = self.filter.text().strip().casefold()
        shown = sorted((c for c in post.counts if wanted in c.name.casefold()), key=lambda c: c.share)
        self._drawn_rooms = (shown, post.warn_at)
        self._draw_rooms(shown, post.warn_at)
        today = now.astimezone(self.zone).date()
        self._draw_arrivals(arrivals([m for m in post.check_ins if m.astimezone(self.zone).date() == today], until=now))
        attended = attendance(
            [i for i in post.intervals if i.room_id in {s.room_id for s in post.running}], post.running, now
        )
        present = {c.room_id: c.count for c in post.counts}
        coming = what_is_next(post.sessions, now, self.zone)
        self.sessions.set_empty_note(
            f"No session is running now. Next: {coming}."
            if coming
            else "No session is running now, and none is left in the schedule."
        )
        self.sessions.setRowCount(len(post.running))
        for row, item in enumerate(sorted(post.running, key=lambda s: s.room)):
            came = sum(1 for a in attended if a.session.id == item.id)
            for column, text in enumerate((item.title, item.room, str(present.get(item.room_id, 0)), str(came))):
                cell = QTableWidgetItem(text)
                if column >= 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.sessions.setItem(row, column, cell)
        self.refresh_stations()
        self.refresh_refusals()

    @Slot()
    def refresh_refusals(self) -> None:
        """The latest refused scans (forged or replaced badges, door disputes), newest first."""
        with self.store.reading() as session:
            found = refusals(session.connection(), limit=50)
        today = self.clock().astimezone(self.zone).date()
        count = sum(1 for r in found if r.at.astimezone(self.zone).date() == today)
        self.lower_tabs.setTabText(1, f"Refused scans ({count}{'+' if count == 50 else ''} today)")
        self.refused.setRowCount(len(found))
        for row, refusal in enumerate(found):
            cells = (
                refusal.at.astimezone(self.zone).strftime("%a %H:%M"),
                refusal.place or f"{refusal.station} ({refusal.where})",
                refusal.verdict.replace("_", " "),
                refusal.attendee or f"nobody: {refusal.scanned[:24]}",
            )
            for column, text in enumerate(cells):
                self.refused.setItem(row, column, QTableWidgetItem(text))

    def refresh_stations(self) -> None:
        """Every station with its last contact and backlog, as the hub told this one (stale ones in red)."""
        with self.store.reading() as session:
            seen = stations_seen(session, self.clock())
            badges = len(conflicts.duplicate_badges(session))
            walk_ins = len(conflicts.walk_in_duplicates(session))
        needs = [
            f"{badges} duplicate badge{'s' * (badges != 1)}" if badges else "",
            f"{walk_ins} walk-in{'s' * (walk_ins != 1)} registered twice" if walk_ins else "",
        ]
        shown = " and ".join(n for n in needs if n)
        self.review_label.setText(f"To review: {shown}" if shown else "")
        self.review_label.setVisible(bool(shown))
        self.review_button.setVisible(bool(shown))
        self.stations.setRowCount(len(seen))
        for row, station in enumerate(seen):
            late = station.seconds_ago > STALE_AFTER_S
            clock = clock_words(station.clock_offset_s) + (" (wrong)" if station.clock_wrong else "")
            cells = (station.name, ago(station.seconds_ago), f"{station.backlog:,}", clock)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if (column == 1 and late) or (column == 3 and station.clock_wrong):
                    cell.setForeground(QColor(TONE_COLOURS[Tone.BAD][0]))
                if column >= 1:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.stations.setItem(row, column, cell)

    @Slot(object)
    def sync_changed(self, _status: object) -> None:
        self.refresh_stations()

    @Slot()
    def review(self) -> None:
        from ui.review_dialog import ReviewDialog

        ReviewDialog(self.store, self.clock, self).exec()
        self.refresh_stations()

    @Slot()
    def edit_rooms(self) -> None:
        from ui.rooms_dialog import RoomsDialog

        if RoomsDialog(self.store, self).exec():
            self.refresh()

    def _redraw_rooms(self) -> None:
        self._draw_rooms(*self._drawn_rooms)

    def _draw_rooms(self, counts: list[tracking.RoomCount], warn_at: float) -> None:
        self.rooms_chart.setTitle(f"Rooms, % of capacity: green under {100 * warn_at:g}%, amber to 99%, red full")
        self.rooms_chart.removeAllSeries()
        for axis in self.rooms_chart.axes():
            self.rooms_chart.removeAxis(axis)
        series = QHorizontalStackedBarSeries()
        sets = {}
        for tone in Tone:  # one bar set per colour; each room has its value in exactly one of them
            bar_set = QBarSet(tone.value)
            bar_set.setColor(QColor(TONE_COLOURS[tone][0]))
            sets[tone] = bar_set
            series.append(bar_set)
        labels = []
        for c in counts:
            percent = round(100 * c.share, 1)
            for tone, bar_set in sets.items():
                bar_set.append(percent if tone is fill_tone(c.count, c.capacity, warn_at) else 0)
            labels.append(f"{c.name}  {c.count}/{c.capacity}")
        series.setBarWidth(0.8)
        self.rooms_chart.addSeries(series)
        rooms = QBarCategoryAxis()
        rooms.append(labels)
        rooms.setLabelsFont(self._room_label_font(len(labels)))
        percent_axis = QValueAxis()
        percent_axis.setRange(0, max(100, *(round(100 * c.share) + 5 for c in counts)) if counts else 100)
        percent_axis.setLabelFormat("%d%%")
        percent_axis.setTickType(QValueAxis.TickType.TicksDynamic)  # 0, 25, 50, 75, 100 %: not 26, 52, 78
        percent_axis.setTickAnchor(0)
        percent_axis.setTickInterval(25)
        self.rooms_chart.addAxis(rooms, Qt.AlignmentFlag.AlignLeft)
        self.rooms_chart.addAxis(percent_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(rooms)
        series.attachAxis(percent_axis)

    def _room_label_font(self, rooms: int) -> QFont:
        """Type small enough for every room's name to have its line: Qt Charts shows "…" for a label taller than
        its share of the chart (a venue's 20-odd rooms on a 768-pixel-high laptop screen)."""
        font = QFont(self.font())
        share = self.rooms_view.height() / max(1, rooms + 3)  # the title and the percent axis take about 3
        font.setPixelSize(max(8, min(15, int(share * 0.48))))  # measured: 12 px fits a 25 px share, 13 px does not
        return font

    def _draw_arrivals(self, curve: dict[datetime, int]) -> None:
        self.arrivals_chart.removeAllSeries()
        for axis in self.arrivals_chart.axes():
            self.arrivals_chart.removeAxis(axis)
        series = QBarSeries()
        bars = QBarSet("check-ins")
        bars.setColor(QColor("#1565c0"))
        labels = []
        for moment, count in curve.items():
            bars.append(count)
            labels.append(moment.astimezone(self.zone).strftime("%H:%M"))
        series.append(bars)
        series.setBarWidth(0.9)
        self.arrivals_chart.addSeries(series)
        times = QBarCategoryAxis()
        times.append(labels or ["—"])
        if len(labels) > 10:  # each would be cut to "…": the title gives the span instead
            times.setLabelsVisible(False)
            self.arrivals_chart.setTitle(
                f"Arrivals: check-ins per 15 minutes, today {labels[0]}–"
                f"{(list(curve)[-1] + timedelta(minutes=15)).astimezone(self.zone):%H:%M}"
            )
        else:
            self.arrivals_chart.setTitle("Arrivals: check-ins per 15 minutes, today")
        counts = QValueAxis()
        counts.setRange(0, max([*curve.values(), 1]))
        counts.applyNiceNumbers()  # round steps (0, 20, 40 ...) rather than fifths of the highest bar
        if counts.max() < counts.tickCount() - 1:  # steps under one check-in would read 0, 0, 0, 1
            counts.setTickCount(int(counts.max()) + 1)
        counts.setLabelFormat("%d")
        self.arrivals_chart.addAxis(times, Qt.AlignmentFlag.AlignBottom)
        self.arrivals_chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(times)
        series.attachAxis(counts)


class _ResizedChartView(QChartView):
    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

"""Open every window on a screen of the size given (Qt's offscreen screen, configured), and say where each one
landed: run by test_screens.py in its own process, since a process's screen is fixed when Qt starts.

    python tests/ui/screen_probe.py WIDTH HEIGHT DATABASE  ->  JSON on stdout
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

WIDTH, HEIGHT, DATABASE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "logicalDpi": 96, "dpr": 1}
config = Path(tempfile.mkdtemp()) / "screen.json"
config.write_text(json.dumps({"windowFrameMargins": True, "screens": [SCREEN]}))
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
os.environ["XDG_CONFIG_HOME"] = str(config.parent)  # no remembered window sizes

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from checkin.occupancy.door import open_door  # noqa: E402
from checkin.store import open_store  # noqa: E402
from ui.dashboard_window import DashboardWindow  # noqa: E402
from ui.desk_window import DeskWindow  # noqa: E402
from ui.door_window import DoorWindow  # noqa: E402
from ui.first_run import FirstRunDialog  # noqa: E402
from ui.kiosk_window import KioskWindow  # noqa: E402
from ui.review_dialog import ReviewDialog  # noqa: E402
from ui.rooms_dialog import RoomsDialog  # noqa: E402
from ui.sound import silent_sounds  # noqa: E402
from ui.theme import install_fonts  # noqa: E402


def now() -> datetime:
    return datetime.now(UTC)


app = QApplication(["probe"])
app.setOrganizationName("Muster-probe")
install_fonts(app)
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
store = open_store(DATABASE)
sounds = silent_sounds()
windows: dict[str, QWidget] = {
    "desk": DeskWindow(store, now, sounds),
    "door": DoorWindow(store, open_door(store, "Hall B", "Main door"), now, sounds),
    "kiosk": KioskWindow(store, now, sounds),
    "dashboard": DashboardWindow(store, now),
    "first run": FirstRunDialog(store, DATABASE, now),
}
windows["rooms"] = RoomsDialog(store, windows["dashboard"])
windows["review"] = ReviewDialog(store, now, windows["desk"])
full_screen = {"door_full_screen": DoorWindow(store, open_door(store, "Hall B", "Main door"), now, sounds)}

report: dict[str, dict[str, object]] = {}
for window in windows.values():
    window.show()
for window in full_screen.values():
    window.showFullScreen()
for _ in range(10):
    app.processEvents()
for name, window in {**windows, **full_screen}.items():
    frame, minimum = window.frameGeometry(), window.minimumSizeHint()
    report[name] = {
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "minimum": [minimum.width(), minimum.height()],
    }
door = full_screen["door_full_screen"]
assert isinstance(door, DoorWindow)
report["door_type"] = {
    "count_px": door.count_label.fontMetrics().height(),
    "banner_pt": door.banner.font_pt,
    "name_px": door.room_label.fontMetrics().height(),
}
print(json.dumps({"screen": app.primaryScreen().availableGeometry().getRect(), "windows": report}))
for window in {**windows, **full_screen}.values():
    window.close()
store.close()

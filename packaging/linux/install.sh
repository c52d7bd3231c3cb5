#!/bin/sh
# Put Muster in this user's application menu, and `checkin` / `checkin-app` on their PATH (~/.local/bin).
# Run it from the unpacked folder, wherever that is; no root needed. Run it again after moving the folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$data/applications" "$HOME/.local/bin"
config=${XDG_CONFIG_HOME:-$HOME/.config}
mkdir -p "$config/systemd/user"
sed "s|@HERE@|$here|g" "$here/muster.desktop" > "$data/applications/muster.desktop"
sed "s|@HERE@|$here|g" "$here/muster-kiosk.service" > "$config/systemd/user/muster-kiosk.service"
ln -sf "$here/checkin" "$here/checkin-app" "$HOME/.local/bin/"
echo "Muster is in the application menu; checkin-app and checkin are in $HOME/.local/bin."
echo "To run this laptop as a kiosk that restarts by itself: systemctl --user enable --now muster-kiosk"

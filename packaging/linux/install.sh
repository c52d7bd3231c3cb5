#!/bin/sh
# Put Muster in this user's application menu, and `checkin` / `checkin-app` on their PATH (~/.local/bin).
# Run it from the unpacked folder, wherever that is; no root needed. Run it again after moving the folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$data/applications" "$HOME/.local/bin"
sed "s|@HERE@|$here|g" "$here/muster.desktop" > "$data/applications/muster.desktop"
ln -sf "$here/checkin" "$here/checkin-app" "$HOME/.local/bin/"
echo "Muster is in the application menu; checkin-app and checkin are in $HOME/.local/bin."

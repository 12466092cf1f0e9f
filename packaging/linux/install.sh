#!/bin/sh
# Installs this merchant-pos folder for the current user: ~/.local/opt/merchant-pos,
# a `merchant-pos` command in ~/.local/bin, and a menu entry with its icon.
# Data (ledger, logs) stays in ~/.local/share/merchant-pos, so reinstalling or
# upgrading keeps it. Run: ./install.sh   (remove: ./install.sh --uninstall)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${XDG_DATA_HOME:-$HOME/.local/share}
opt=$HOME/.local/opt/merchant-pos
bin=$HOME/.local/bin
if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$opt" "$bin/merchant-pos" "$prefix/applications/merchant-pos.desktop" \
        "$prefix/icons/hicolor/256x256/apps/merchant-pos.png"
    echo "merchant-pos removed (its data in $prefix/merchant-pos is kept)"
    exit 0
fi
mkdir -p "$opt" "$bin" "$prefix/applications" "$prefix/icons/hicolor/256x256/apps"
if [ "$here" != "$opt" ]; then
    rm -rf "$opt.new"; cp -a "$here" "$opt.new"; rm -rf "$opt"; mv "$opt.new" "$opt"
fi
ln -sf "$opt/merchant-pos" "$bin/merchant-pos"
cp "$opt/merchant-pos.png" "$prefix/icons/hicolor/256x256/apps/merchant-pos.png"
sed "s|^Exec=merchant-pos|Exec=$opt/merchant-pos|" "$opt/merchant-pos.desktop" \
    > "$prefix/applications/merchant-pos.desktop"
echo "merchant-pos installed in $opt; start it from the menu or with: $bin/merchant-pos run"

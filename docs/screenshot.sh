#!/bin/bash
# How docs/notification.png was made: a real dunst under Xvfb showing a
# reminder from a real netctld, captured with xwd, then cropped to the
# notification (convert -crop 470x110+425+8).  Run from the repository:
#   dbus-run-session -- bash docs/screenshot.sh
BUILD=$(cd "$(dirname "$0")/.." && pwd)/build
OUT=${1:-/tmp/shot/notification.png}
mkdir -p /tmp/shot
export XDG_DATA_HOME=/tmp/shot/data XDG_CONFIG_HOME=/tmp/shot/config HOME=/tmp/shot TZ=Europe/Berlin
rm -rf /tmp/shot/data /tmp/shot/config; mkdir -p /tmp/shot/config/dunst
cat > /tmp/shot/config/dunst/dunstrc <<'D'
[global]
    geometry = "420x5-20+20"
    width = 420
    origin = top-right
    offset = 20x20
    font = DejaVu Sans 11
    frame_width = 2
    frame_color = "#8CAAEE"
    padding = 12
    horizontal_padding = 12
    format = "<b>%a</b>\n<b>%s</b>\n%b"
    show_indicators = yes
[urgency_normal]
    background = "#303446"
    foreground = "#C6D0F5"
    timeout = 0
D
Xvfb :77 -screen 0 900x300x24 >/dev/null 2>&1 &
XPID=$!
sleep 1
export DISPLAY=:77
dunst -config /tmp/shot/config/dunst/dunstrc >/dev/null 2>&1 &
DPID=$!
"$BUILD"/netctld 2>/dev/null &
NPID=$!
for i in $(seq 50); do busctl --user status org.netctl.Netctl1 >/dev/null 2>&1 && break; sleep 0.1; done
"$BUILD"/netctl add "Send Ana the article on data teams" --in 2s
sleep 4
xwd -root -display :77 -silent | /usr/bin/convert xwd:- "$OUT"
kill $NPID $DPID $XPID; wait

#!/usr/bin/python3
"""Record the signals netctld emits, one JSON line each, until SIGTERM.

    watch-signals.py OUT READY

Subscribes to every signal from org.netctl.Netctl1 on the session bus, then
creates the file READY once the bus has surely processed the subscription
(a round trip after AddMatch), so a test can act without racing it.
Each line: {"interface", "member", "path", "args": [...]}.
"""
import json
import signal
import sys

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

NAME = 'org.netctl.Netctl1'


def plain(v):
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64,
                      dbus.UInt16, dbus.UInt32, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (dbus.Dictionary, dict)):
        return {str(k): plain(x) for k, x in v.items()}
    return str(v)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    out = open(sys.argv[1], 'a', encoding='utf-8')

    def on_signal(*args, **kw):
        out.write(json.dumps({'interface': kw['interface'], 'member': kw['member'],
                              'path': kw['path'],
                              'args': [plain(a) for a in args]}) + '\n')
        out.flush()

    bus.add_signal_receiver(on_signal, bus_name=NAME, interface_keyword='interface',
                            member_keyword='member', path_keyword='path')
    # AddMatch was sent synchronously; one more round trip to be sure.
    bus.get_name_owner('org.freedesktop.DBus')
    open(sys.argv[2], 'w').close()
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    loop.run()


if __name__ == '__main__':
    main()

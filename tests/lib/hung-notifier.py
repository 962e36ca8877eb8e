#!/usr/bin/python3
"""A notification server that takes org.freedesktop.Notifications and never
answers Notify (with --hang-all: never answers anything).

Every method call is appended to LOG as one JSON line, flushed at once, so a
test can see that the daemon's Notify is now pending.  Run with
/usr/bin/python3: Debian's python3-dbus is installed for it only.

    hung-notifier.py LOG [--hang-all]
"""
import json
import signal
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

NAME = 'org.freedesktop.Notifications'
PATH = '/org/freedesktop/Notifications'
IFACE = 'org.freedesktop.Notifications'


class Hung(dbus.service.Object):
    def __init__(self, bus, log, hang_all):
        super().__init__(bus, PATH)
        self.log = log
        self.hang_all = hang_all
        self.pending = []   # reply callbacks we deliberately never call

    def record(self, method, args):
        self.log.write(json.dumps({'time': time.time(), 'method': method,
                                   'args': [str(a) for a in args]}) + '\n')
        self.log.flush()

    def answer(self, method, args, ok, value):
        self.record(method, args)
        if self.hang_all:
            self.pending.append(ok)
        elif value is None:
            ok()
        else:
            ok(value)

    @dbus.service.method(IFACE, in_signature='susssasa{sv}i', out_signature='u',
                         async_callbacks=('ok', 'err'))
    def Notify(self, app_name, replaces_id, icon, summary, body, actions,
               hints, timeout, ok, err):
        self.record('Notify', [app_name, replaces_id, summary, body])
        self.pending.append(ok)

    @dbus.service.method(IFACE, in_signature='', out_signature='as',
                         async_callbacks=('ok', 'err'))
    def GetCapabilities(self, ok, err):
        self.answer('GetCapabilities', [], ok, ['actions', 'body', 'persistence'])

    @dbus.service.method(IFACE, in_signature='', out_signature='ssss',
                         async_callbacks=('ok', 'err'))
    def GetServerInformation(self, ok, err):
        self.record('GetServerInformation', [])
        if self.hang_all:
            self.pending.append(ok)
        else:
            ok('hung-notifier', 'netctl tests', '1.0', '1.2')

    @dbus.service.method(IFACE, in_signature='u', out_signature='',
                         async_callbacks=('ok', 'err'))
    def CloseNotification(self, nid, ok, err):
        self.answer('CloseNotification', [nid], ok, None)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    hang_all = '--hang-all' in sys.argv[2:]
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    log = open(sys.argv[1], 'a', encoding='utf-8')
    server = Hung(bus, log, hang_all)
    # Keep a reference: the name is released when the object goes away.
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()
    del name, server


if __name__ == '__main__':
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A notification server for the benchmarks that records when each Notify
call arrives.

  notify-recorder.py LOG

Owns org.freedesktop.Notifications on the session bus (the bench's private
one) and appends "REALTIME<TAB>SUMMARY<TAB>BODY" to LOG for each Notify, the
time read (CLOCK_REALTIME, microseconds) as soon as the call is dispatched.
Python's dispatch adds a little to what it records, so the lateness it shows
errs on the late side.  Prints "ready" on standard output once it owns the
name.  Uses python3-dbus and python3-gi from Debian.
"""
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

IFACE = "org.freedesktop.Notifications"


class Server(dbus.service.Object):
    def __init__(self, bus, log):
        super().__init__(bus, "/org/freedesktop/Notifications")
        self.log = log
        self.next_id = 0

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        now = time.clock_gettime(time.CLOCK_REALTIME)
        self.log.write("%.6f\t%s\t%s\n" % (now, summary.replace("\t", " ").replace("\n", " "),
                                           body.replace("\t", " ").replace("\n", " ")))
        self.log.flush()
        self.next_id += 1
        return dbus.UInt32(self.next_id)

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body"]

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("bench-recorder", "netctl", "1.0", "1.2")

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, notification_id):
        pass


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    log = open(sys.argv[1], "a")
    server = Server(bus, log)
    name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
    print("ready", flush=True)
    loop = GLib.MainLoop()
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    del name, server
    return 0


if __name__ == "__main__":
    sys.exit(main())

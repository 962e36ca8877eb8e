#!/usr/bin/python3
"""Meetings.ExportMemfd against Meetings.Export, for
tests/bus/export-memfd.sh.

  export-memfd.py compare
      For every choice of todos, events and single, calls Export and
      ExportMemfd on the session bus and decodes the memfd as netctld(8)
      describes it (the magic "netctl-export-1", then each item's UID and
      text, every string ending in a NUL); checks that the memfd is sealed
      against writing, growing and shrinking.  Prints "same N" (N items in
      all) and exits 0 when both return the same items, byte for byte and
      in the same order; prints the first difference and exits 1 otherwise.
  export-memfd.py count TODOS EVENTS SINGLE
      ExportMemfd alone: prints the number of items and of bytes.
  export-memfd.py export-error
      Export of everything in one file: prints the D-Bus error's name and
      message, or "no error".
"""
import fcntl
import mmap
import os
import sys

import dbus

NAME = "org.netctl.Netctl1"
PATH = "/org/netctl/Netctl1"
IFACE = "org.netctl.Netctl1.Meetings"
MAGIC = b"netctl-export-1\0"
F_GET_SEALS = 1034
F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE = 0x2, 0x4, 0x8


def proxy():
    bus = dbus.SessionBus()
    return dbus.Interface(bus.get_object(NAME, PATH, introspect=False), IFACE)


def export_memfd(p, todos, events, single):
    fd = p.ExportMemfd(todos, events, single, timeout=600).take()
    try:
        seals = fcntl.fcntl(fd, F_GET_SEALS)
        want = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
        if seals & want != want:
            raise ValueError("memfd seals 0x%x, want at least 0x%x" % (seals, want))
        size = os.fstat(fd).st_size
        with mmap.mmap(fd, size, prot=mmap.PROT_READ) as m:
            data = bytes(m)
    finally:
        os.close(fd)
    if not data.startswith(MAGIC):
        raise ValueError("no magic: %r" % data[:16])
    if not data.endswith(b"\0"):
        raise ValueError("the file does not end in a NUL")
    strings = data[len(MAGIC):-1].split(b"\0") if len(data) > len(MAGIC) else []
    if len(strings) % 2:
        raise ValueError("%d strings: not pairs of UID and text" % len(strings))
    return [(strings[i].decode(), strings[i + 1].decode()) for i in range(0, len(strings), 2)], len(data)


def main():
    p = proxy()
    if sys.argv[1] == "compare":
        total = 0
        for todos, events, single in ((True, True, False), (True, False, False), (False, True, False),
                                      (True, True, True), (True, False, True), (False, True, True)):
            want = [(str(u), str(t)) for u, t in p.Export(todos, events, single, timeout=600)]
            got, _ = export_memfd(p, todos, events, single)
            if got != want:
                print("differ for todos=%s events=%s single=%s: %d items from Export, %d from ExportMemfd"
                      % (todos, events, single, len(want), len(got)))
                for i, (w, g) in enumerate(zip(want, got)):
                    if w != g:
                        print("first difference at item %d: %r / %r" % (i, w[0][:60], g[0][:60]))
                        break
                return 1
            total += len(got)
        print("same %d" % total)
        return 0
    if sys.argv[1] == "count":
        flags = [a == "true" for a in sys.argv[2:5]]
        items, size = export_memfd(p, *flags)
        print("%d %d" % (len(items), size))
        return 0
    if sys.argv[1] == "export-error":
        try:
            p.Export(True, True, True, timeout=600)
        except dbus.exceptions.DBusException as e:
            print("%s %s" % (e.get_dbus_name(), e.get_dbus_message()))
            return 0
        print("no error")
        return 0
    sys.stderr.write("usage: export-memfd.py compare | count TODOS EVENTS SINGLE | export-error\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())

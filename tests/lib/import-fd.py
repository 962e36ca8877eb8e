#!/usr/bin/python3
"""Meetings.ImportFd and Meetings.Import called directly, with the file
descriptors `netctl import` would not send, for tests/bus/import-fd.sh.

  import-fd.py file NAME PATH [OFFSET]
      ImportFd with PATH open for reading, its offset moved to OFFSET
      first (default 0).
  import-fd.py pipe NAME PATH
      ImportFd with the read end of a pipe holding PATH's bytes, its write
      end kept open during the call (a daemon that read it would wait).
  import-fd.py write-only NAME PATH
      ImportFd with PATH open for writing only.
  import-fd.py bytes NAME PATH
      Import with PATH's bytes.

Prints the reply's seven values, tab-separated, and exits 0; or prints
"error NAME: MESSAGE" for an error reply and exits 1.
"""
import os
import sys

import dbus

NAME = "org.netctl.Netctl1"
PATH = "/org/netctl/Netctl1"
IFACE = "org.netctl.Netctl1.Meetings"


def main():
    how, name, path = sys.argv[1:4]
    bus = dbus.SessionBus()
    meetings = dbus.Interface(bus.get_object(NAME, PATH, introspect=False), IFACE)
    keep = []
    try:
        if how == "bytes":
            with open(path, "rb") as f:
                data = f.read()
            reply = meetings.Import(name, dbus.ByteArray(data), timeout=120)
        else:
            if how == "file":
                fd = os.open(path, os.O_RDONLY)
                os.lseek(fd, int(sys.argv[4]) if len(sys.argv) > 4 else 0, os.SEEK_SET)
            elif how == "pipe":
                fd, write_end = os.pipe()
                with open(path, "rb") as f:
                    os.write(write_end, f.read(4096))
                keep.append(write_end)
            elif how == "write-only":
                fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            else:
                sys.exit("import-fd.py: unknown way " + how)
            reply = meetings.ImportFd(name, dbus.types.UnixFd(fd), timeout=120)
            os.close(fd)
    except dbus.exceptions.DBusException as e:
        print("error %s: %s" % (e.get_dbus_name(), e.get_dbus_message()))
        return 1
    finally:
        for fd in keep:
            os.close(fd)
    print("\t".join(str(v) for v in reply))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Followups.ListMemfd and ListStream against List/ListFiltered, for
tests/bus/list-memfd.sh.

  list-memfd.py compare FROM TO STATE [CONTACT]
      Calls List (ListFiltered with a contact), ListMemfd and ListStream
      with the same arguments on the session bus and decodes the memfd and
      the pipe as netctld(8) describes them (a stream's failure is its
      trailer's error name).  Prints "same N" and exits 0 when all three
      return the same N follow-ups, field for field and in the same order;
      prints the outcomes and exits 1 otherwise.  When all three fail, and
      ListMemfd and ListStream with the same error, prints "all failed:
      NAME LIST_NAME" and exits 0; one failing is a difference.
  list-memfd.py render FROM TO STATE [CONTACT]
      The JSON `netctl list --json` prints for what List returns, written
      here from the contract in netctl(1) (keys in order, compact, strings
      escaped as the client does, local times with the process's TZ).
"""
import mmap
import os
import struct
import sys
import time

import dbus

NAME = "org.netctl.Netctl1"
PATH = "/org/netctl/Netctl1"
IFACE = "org.netctl.Netctl1.Followups"
MAGIC = b"NCTLFR1\n"
FIXED = struct.Struct("<QqqQqB")
F_GET_SEALS = 1034
F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE = 0x2, 0x4, 0x8


def proxy():
    bus = dbus.SessionBus()
    return dbus.Interface(bus.get_object(NAME, PATH, introspect=False), IFACE)


def call_list(p, lo, hi, state, contact):
    if contact is None:
        reply = p.List(dbus.Int64(lo), dbus.Int64(hi), state)
    else:
        reply = p.ListFiltered(dbus.Int64(lo), dbus.Int64(hi), state,
                               dbus.Dictionary({"contact": contact}, signature="sv"))
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), int(r[5]), int(r[6]),
             bool(r[7]), int(r[8]), str(r[9])) for r in reply]


def decode(data):
    if data[:8] != MAGIC:
        raise ValueError("no magic: %r" % data[:8])
    rows, pos = [], 8
    while pos < len(data):
        ident, due, done_at, every, notified_at, fixed = FIXED.unpack_from(data, pos)
        if fixed not in (0, 1):
            raise ValueError("every_fixed %d at %d" % (fixed, pos))
        pos += FIXED.size
        strings = []
        for _ in range(4):
            end = data.index(b"\0", pos)
            strings.append(data[pos:end].decode("utf-8"))
            pos = end + 1
        uid, text, kind, contact = strings
        rows.append((ident, uid, text, kind, due, done_at, every, bool(fixed), notified_at, contact))
    return rows


def call_memfd(p, lo, hi, state, contact):
    filt = {} if contact is None else {"contact": contact}
    fd = p.ListMemfd(dbus.Int64(lo), dbus.Int64(hi), state,
                     dbus.Dictionary(filt, signature="sv")).take()
    try:
        import fcntl
        seals = fcntl.fcntl(fd, F_GET_SEALS)
        want = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
        if seals & want != want:
            raise ValueError("memfd seals 0x%x, want 0x%x" % (seals, want))
        size = os.fstat(fd).st_size
        with mmap.mmap(fd, size, prot=mmap.PROT_READ) as m:
            return decode(bytes(m))
    finally:
        os.close(fd)


class StreamFailed(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


def call_stream(p, lo, hi, state, contact):
    filt = {} if contact is None else {"contact": contact}
    fd = p.ListStream(dbus.Int64(lo), dbus.Int64(hi), state,
                      dbus.Dictionary(filt, signature="sv")).take()
    chunks = []
    try:
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    # The trailer: u64 0, s64 status, name, message; nothing after it.
    rows, pos = [], 8
    if data[:8] != MAGIC:
        raise ValueError("no magic: %r" % data[:8])
    while True:
        if pos + 8 > len(data):
            raise ValueError("stream ends without a trailer after %d rows" % len(rows))
        if struct.unpack_from("<Q", data, pos)[0] == 0:
            status = struct.unpack_from("<q", data, pos + 8)[0]
            end = data.index(b"\0", pos + 16)
            name = data[pos + 16:end].decode("utf-8")
            mend = data.index(b"\0", end + 1)
            if mend + 1 != len(data):
                raise ValueError("%d bytes after the trailer" % (len(data) - mend - 1))
            if status != 0:
                raise StreamFailed(name)
            if name or mend != end + 1:
                raise ValueError("a whole list's trailer carries an error")
            return rows
        # One record: its fixed part and four NUL-ended strings.
        q = pos + FIXED.size
        for _ in range(4):
            q = data.index(b"\0", q) + 1
        rows.extend(decode(MAGIC + data[pos:q]))
        pos = q


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except dbus.exceptions.DBusException as e:
        return ("error", e.get_dbus_name())
    except StreamFailed as e:
        return ("error", e.name)


def escape(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def utc(t):
    return "null" if t == 0 else '"%s"' % time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def local(t):
    if t == 0:
        return "null"
    lt = time.localtime(t)
    z = time.strftime("%z", lt)
    return '"%s%s:%s"' % (time.strftime("%Y-%m-%dT%H:%M:%S", lt), z[:3], z[3:])


def render(rows):
    items = []
    for ident, uid, text, kind, due, done_at, every, fixed, notified_at, contact in rows:
        items.append("{" + ",".join([
            '"id":%d' % ident, '"uid":' + escape(uid), '"text":' + escape(text),
            '"kind":' + escape(kind), '"due":' + utc(due), '"due_local":' + local(due),
            '"done_at":' + utc(done_at), '"every":' + (str(every) if every > 0 else "null"),
            '"every_fixed":' + ("true" if fixed else "false"),
            '"contact":' + (escape(contact) if contact else "null"),
            '"notified":' + ("true" if notified_at != 0 else "false"),
            '"notified_at":' + utc(notified_at)]) + "}")
    return "[" + ",".join(items) + "]\n"


def main():
    cmd, lo, hi, state = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    contact = sys.argv[5] if len(sys.argv) > 5 else None
    p = proxy()
    if cmd == "render":
        sys.stdout.write(render(call_list(p, lo, hi, state, contact)))
        return 0
    old = outcome(call_list, p, lo, hi, state, contact)
    new = outcome(call_memfd, p, lo, hi, state, contact)
    streamed = outcome(call_stream, p, lo, hi, state, contact)
    # List's error may differ (sd-bus refuses the string for it); the
    # other two fail as one.
    if old[0] == "error" and new[0] == "error" and new == streamed:
        print("all failed: %s %s" % (new[1], old[1]))
        return 0
    if old[0] == "ok" and old == new == streamed:
        print("same %d" % len(old[1]))
        return 0
    print("List:       %r" % (old,))
    print("ListMemfd:  %r" % (new,))
    print("ListStream: %r" % (streamed,))
    return 1


if __name__ == "__main__":
    sys.exit(main())

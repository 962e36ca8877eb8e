#!/usr/bin/python3
"""Talk to a python3-dbusmock notification_daemon on the session bus.

    notify-mock.py calls           the Notify calls it recorded, as a JSON array
    notify-mock.py invoke ID KEY   the user clicked action KEY on notification ID
                                   (ActionInvoked, then NotificationClosed
                                   reason 2, in that order, as dunst does)
    notify-mock.py close ID [REASON]   NotificationClosed (default reason 2)
    notify-mock.py clear           forget the recorded calls
    notify-mock.py logged LOG      every method call dbusmock wrote to LOG (its
                                   stdout), as a JSON array of
                                   {"method": name, "args": text as logged}

dbusmock writes a call to its log before it runs the method, with an
unbuffered write, so after the mock is SIGKILLed LOG still holds every call
it took; GetMethodCalls can only be asked while it lives.

Each element of `calls`:
    {"id": notification id the mock returned, "time": Unix seconds,
     "app_name", "replaces_id", "icon", "summary", "body",
     "actions": [keys...], "action_labels": {key: label},
     "hints": {name: value}, "timeout"}
The mock returns replaces_id when it is non-zero and otherwise numbers
notifications 1, 2, ... in call order; "id" is reconstructed the same way.
Run with /usr/bin/python3: Debian's dbusmock is installed for it only.
"""
import json
import re
import sys

import dbus

NAME = 'org.freedesktop.Notifications'
PATH = '/org/freedesktop/Notifications'
IFACE = 'org.freedesktop.Notifications'
MOCK = 'org.freedesktop.DBus.Mock'


def plain(v):
    """dbus-python values to JSON-able ones."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64,
                      dbus.UInt16, dbus.UInt32, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(v)
    if isinstance(v, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (dbus.Dictionary, dict)):
        return {str(k): plain(x) for k, x in v.items()}
    return v


def mock():
    return dbus.Interface(dbus.SessionBus().get_object(NAME, PATH), MOCK)


def calls():
    out = []
    next_id = 1
    for stamp, args in mock().GetMethodCalls('Notify'):
        app, replaces, icon, summary, body, actions, hints, timeout = args
        if replaces:
            nid = int(replaces)
        else:
            nid = next_id
            next_id += 1
        actions = [str(a) for a in actions]
        out.append({
            'id': nid, 'time': int(stamp), 'app_name': str(app),
            'replaces_id': int(replaces), 'icon': str(icon),
            'summary': str(summary), 'body': str(body),
            'actions': actions[0::2],
            'action_labels': dict(zip(actions[0::2], actions[1::2])),
            'hints': plain(hints), 'timeout': int(timeout),
        })
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


def closed(nid, reason):
    mock().EmitSignal(IFACE, 'NotificationClosed', 'uu',
                      [dbus.UInt32(nid), dbus.UInt32(reason)])


# A log entry starts a line: "1764121200.123 Notify ..." (time.time() with
# three decimals); arguments may span lines (a body with newlines).
LOGGED = re.compile(r'^\d+\.\d{3} (\w+)(.*?)(?=^\d+\.\d{3} \w|\Z)', re.M | re.S)


def logged(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    out = [{'method': m.group(1), 'args': m.group(2).strip()}
           for m in LOGGED.finditer(text)]
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write('\n')


def main(argv):
    if len(argv) >= 1 and argv[0] == 'calls':
        calls()
    elif len(argv) == 3 and argv[0] == 'invoke':
        mock().EmitSignal(IFACE, 'ActionInvoked', 'us',
                          [dbus.UInt32(int(argv[1])), argv[2]])
        closed(int(argv[1]), 2)
    elif len(argv) in (2, 3) and argv[0] == 'close':
        closed(int(argv[1]), int(argv[2]) if len(argv) == 3 else 2)
    elif len(argv) == 2 and argv[0] == 'logged':
        logged(argv[1])
    elif argv == ['clear']:
        mock().ClearCalls()
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])

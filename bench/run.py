#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""netctl against remind, calcurse, taskwarrior and khal, in one run.

  bench/run.py [--build DIR] [--quick] [--idle-seconds N] [--out DIR]

`make bench` runs this after installing the peers (bench/install-peers) and
building netctl and bench/bench-client.  Environment: BENCH_QUICK=1 for a
short run (about three minutes: a one-minute idle window, fewer repetitions,
a 1,000-event import); BENCH_IDLE_SECONDS overrides the idle window (600 s by
default, 60 s quick).

Everything runs in a temporary directory: each tool gets its own HOME and XDG
directories, every netctld its own private dbus-daemon.  Data come from
bench/gen-followups.py and bench/gen-ics.py with fixed seeds.  Follow-ups
reach netctld only through its bus API (bench-client add); the daemon is the
only process that opens its database.  Large stores are built once on tmpfs,
where the per-commit fsync is free, and the database file is then copied, with
the daemon stopped, into each measured (on-disk) directory.

The table goes to standard output; the same numbers, the machine and the
tools' versions to bench/results/bench-<date>.json (and latest.json).
Numbers, not pass/fail: nothing here is a test, and `make check` runs none
of it.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PY = "/usr/bin/python3"
START = time.monotonic()


def log(msg):
    sys.stderr.write("[%6.1fs] %s\n" % (time.monotonic() - START, msg))
    sys.stderr.flush()


def median(v):
    return statistics.median(v) if v else None


def percentile(v, p):
    """Nearest-rank percentile (p in 0..100) of a list."""
    if not v:
        return None
    s = sorted(v)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def run(cmd, env=None, check=True, capture=True, timeout=None, stdin=None):
    r = subprocess.run(cmd, env=env, stdin=stdin, timeout=timeout,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode,
                                                   (r.stderr or "").strip()[-2000:]))
    return r


# ---- processes: wake-ups and memory -------------------------------------

def wakeups(pid):
    """Per thread: how many times it was put on a CPU (schedstat) and its
    voluntary + involuntary context switches.  Reading /proc does not wake
    the process."""
    out = {}
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                runs = int(f.read().split()[2])
            switches = 0
            with open("/proc/%d/task/%s/status" % (pid, t)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        switches += int(line.split()[1])
            out[int(t)] = (runs, switches)
        except (OSError, IndexError, ValueError):
            pass
    return out


def wakeups_between(before, after):
    """Wake-ups between two wakeups() readings: a thread's later runs, a new
    thread's all, and one for each thread that exited meanwhile (it ran at
    least to exit)."""
    runs = switches = 0
    for tid, (r, sw) in after.items():
        r0, sw0 = before.get(tid, (0, 0))
        runs += r - r0
        switches += sw - sw0
    exited = [tid for tid in before if tid not in after]
    return {"wakeups": runs + len(exited), "context_switches": switches, "threads": len(after),
            "threads_started": len([t for t in after if t not in before]), "threads_exited": len(exited)}


def memory(pid):
    """Rss, Pss and Private_Dirty (KiB) from /proc/PID/smaps_rollup."""
    out = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0].rstrip(":") in ("Rss", "Pss", "Private_Dirty",
                                                                "Private_Clean", "Anonymous"):
                    out[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        return None
    return out


# ---- sandboxes: a HOME, XDG dirs and a private session bus --------------

class Sandbox:
    def __init__(self, root, name, build):
        self.name = name
        self.build = build
        self.dir = os.path.join(root, name)
        for d in ("home", "data/netctl", "config/netctl", "cache", "run"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        os.chmod(os.path.join(self.dir, "run"), 0o700)
        os.chmod(os.path.join(self.dir, "data/netctl"), 0o700)
        self.bus = None
        self.address = None
        self.daemon = None
        self.notify_sock = None
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.join(self.dir, "home"),
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_CACHE_HOME": os.path.join(self.dir, "cache"),
            "XDG_RUNTIME_DIR": os.path.join(self.dir, "run"),
            "TZ": os.environ.get("TZ", "UTC"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }

    @property
    def db(self):
        return os.path.join(self.dir, "data/netctl/netctl.db")

    def write_config(self, text):
        with open(os.path.join(self.dir, "config/netctl/netctl.conf"), "w") as f:
            f.write(text)

    def start_bus(self):
        with open(os.path.join(self.dir, "dbus-daemon.log"), "a") as logf:
            self.bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                                         "--print-address=1"], stdout=subprocess.PIPE, stderr=logf,
                                        env=self.env, text=True)
        self.address = self.bus.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon gave no address")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.address

    def start_daemon(self):
        """Starts netctld with NOTIFY_SOCKET pointed at a socket read here;
        returns the seconds from exec to READY=1."""
        path = os.path.join(self.dir, "notify.sock")
        if os.path.exists(path):
            os.unlink(path)
        self.notify_sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify_sock.bind(path)
        env = dict(self.env, NOTIFY_SOCKET=path)
        logf = open(os.path.join(self.dir, "netctld.log"), "a")
        t0 = time.monotonic()
        self.daemon = subprocess.Popen([os.path.join(self.build, "netctld")], env=env,
                                       stdout=logf, stderr=logf)
        logf.close()
        self.notify_sock.settimeout(1.0)
        while True:
            try:
                msg = self.notify_sock.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                if self.daemon.poll() is not None:
                    raise RuntimeError("netctld exited (%d); see %s/netctld.log"
                                       % (self.daemon.returncode, self.dir))
                if time.monotonic() - t0 > 300:
                    raise RuntimeError("netctld not ready after 300 s")
                continue
            if "READY=1" in msg.split("\n"):
                ready = time.monotonic() - t0
                # Nobody reads STATUS= lines from here on: without the
                # socket they fail at once, where a full queue would block
                # the daemon (systemd always reads them).
                self.notify_sock.close()
                self.notify_sock = None
                os.unlink(path)
                return ready

    def stop_daemon(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.daemon = None

    def stop(self):
        self.stop_daemon()
        if self.bus and self.bus.poll() is None:
            self.bus.terminate()
            self.bus.wait()
        self.bus = None
        if self.notify_sock:
            self.notify_sock.close()
            self.notify_sock = None

    def netctl(self, *args, check=True):
        return run([os.path.join(self.build, "netctl")] + list(args), env=self.env, check=check)

    def add_followups(self, tsv):
        with open(tsv) as f:
            r = run([os.path.join(self.build, "bench", "bench-client"), "add"], env=self.env, stdin=f)
        return int(r.stdout.strip())

    def import_bus(self, ics):
        r = run([os.path.join(self.build, "bench", "bench-client"), "import", ics], env=self.env)
        parts = r.stdout.split()
        return float(parts[0]), parts[1:]

    def copy_db_from(self, other):
        for suffix in ("", "-wal", "-shm"):
            dst = self.db + suffix
            if os.path.exists(dst):
                os.unlink(dst)
        shutil.copy2(other.db, self.db)
        if os.path.exists(other.db + "-wal"):
            shutil.copy2(other.db + "-wal", self.db + "-wal")
        os.chmod(self.db, 0o600)


# ---- hyperfine, alternating rounds --------------------------------------

def hyperfine(commands, env, rounds, runs, warmup, workdir):
    """commands: [(name, command line, runs or None[, env])].  Each round
    runs every command in turn (hyperfine -N, no shell), so that netctl and
    its peer alternate; a command's own env replaces env.  Returns
    {name: [seconds, ...]} over all rounds."""
    times = {c[0]: [] for c in commands}
    for rnd in range(rounds):
        for name, cmd, n, *own_env in commands:
            out = os.path.join(workdir, "hf-%s-%d.json" % (re.sub(r"\W+", "_", name), rnd))
            run(["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(n or runs),
                 "--export-json", out, cmd], env=own_env[0] if own_env else env)
            with open(out) as f:
                times[name].extend(json.load(f)["results"][0]["times"])
    return times


# ---- the machine ---------------------------------------------------------

def pkg_version(pkg):
    r = run(["dpkg-query", "-W", "-f=${Version}", pkg], check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def machine(build):
    cpu = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = None
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024
    os_name = None
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    fs = run(["stat", "-f", "-c", "%T", tempfile.gettempdir()], check=False).stdout.strip()
    netctld_version = run([os.path.join(build, "netctld"), "--version"], check=False).stdout.strip()
    try:
        commit = run(["git", "-C", ROOT, "describe", "--always", "--dirty"], check=False).stdout.strip()
    except OSError:
        commit = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_mib": mem,
        "kernel": platform.release(),
        "os": os_name,
        "loadavg_start": os.getloadavg(),
        "filesystem": fs,
        "tz": os.environ.get("TZ", "UTC"),
        "netctl": netctld_version,
        "netctl_commit": commit,
        "versions": {p: pkg_version(p) for p in ("remind", "calcurse", "taskwarrior", "khal", "hyperfine",
                                                   "libsqlite3-0", "libical3", "libsystemd0",
                                                   "dbus-daemon", "python3-dbus")},
    }


# ---- the peers' setups ---------------------------------------------------

class Peers:
    def __init__(self, root, n_items, anchor, ics):
        self.dir = os.path.join(root, "peers")
        os.makedirs(self.dir, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.join(self.dir, "home"),
            "TZ": os.environ.get("TZ", "UTC"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TASKRC": os.path.join(self.dir, "taskrc"),
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "XDG_CACHE_HOME": os.path.join(self.dir, "cache"),
        }
        for key in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            os.makedirs(self.env[key], exist_ok=True)
        self.n = n_items
        self.anchor = anchor
        self.ics = ics
        self.remind_file = os.path.join(self.dir, "reminders.rem")
        self.calcurse_dir = os.path.join(self.dir, "calcurse")
        self.khal_conf = os.path.join(self.dir, "khal.conf")

    def gen(self, fmt, out):
        run([PY, os.path.join(BENCH, "gen-followups.py"), str(self.n), str(self.anchor), fmt, out])

    def setup(self):
        # taskwarrior: the follow-ups as pending tasks with due dates.
        with open(self.env["TASKRC"], "w") as f:
            f.write("data.location=%s\nconfirmation=off\nverbose=nothing\ncolor=off\n"
                    "recurrence=off\nnews.version=99.99.99\n" % os.path.join(self.dir, "task"))
        tasks = os.path.join(self.dir, "tasks.json")
        self.gen("taskwarrior", tasks)
        run(["task", "import", tasks], env=self.env)
        # remind: REM ... AT ... MSG lines.
        self.gen("remind", self.remind_file)
        # calcurse: an apts file of 15-minute appointments.
        os.makedirs(self.calcurse_dir, exist_ok=True)
        self.gen("calcurse", os.path.join(self.calcurse_dir, "apts"))
        # khal: one .ics per item in a vdir; the first list builds its cache.
        cal = os.path.join(self.dir, "khal", "cal")
        self.gen("khal", cal)
        self.write_khal_conf(self.khal_conf, cal, os.path.join(self.dir, "khal", "khal.db"))
        run(["khal", "-c", self.khal_conf, "list", "today", "7d"], env=self.env)

    def write_khal_conf(self, path, cal, db):
        os.makedirs(cal, exist_ok=True)
        tz = os.environ.get("TZ", "UTC")
        with open(path, "w") as f:
            f.write("[calendars]\n[[bench]]\npath = %s\ntype = calendar\n\n"
                    "[locale]\ntimeformat = %%H:%%M\ndateformat = %%Y-%%m-%%d\n"
                    "longdateformat = %%Y-%%m-%%d\ndatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
                    "longdatetimeformat = %%Y-%%m-%%d %%H:%%M\nlocal_timezone = %s\n"
                    "default_timezone = %s\n\n[sqlite]\npath = %s\n" % (cal, tz, tz, db))


# ---- the benchmark -------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.build = os.path.abspath(args.build)
        self.results = {"quick": self.quick, "notes": []}
        self.sandboxes = []
        self.procs = []
        disk_parent = os.environ.get("BENCH_TMPDIR", "/var/tmp")
        self.root = tempfile.mkdtemp(prefix="netctl-bench.", dir=disk_parent)
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.fast_root = tempfile.mkdtemp(prefix="netctl-bench-load.", dir=shm) if shm else \
            os.path.join(self.root, "load")
        self.fast_is_tmpfs = bool(shm)
        os.makedirs(self.fast_root, exist_ok=True)
        if not shm:
            self.note("No writable /dev/shm: the stores are built on disk (slower set-up, same numbers).")

        self.idle_seconds = args.idle_seconds
        self.n_late = 30 if self.quick else 200
        self.rounds = 1 if self.quick else 3
        self.runs = 10 if self.quick else 30          # netctl, per round
        self.peer_runs = 3 if self.quick else 10      # slow peers, per round
        self.n_events = 1000 if self.quick else 10000
        self.n_starts = 3 if self.quick else 10
        now = int(time.time())
        # Due times start two hours from now: nothing falls due while the
        # run lasts (the idle measurement needs that), and "this week"
        # still holds about 190 of them.
        self.anchor = (now // 3600 + 2) * 3600

    def note(self, text):
        self.results["notes"].append(text)
        log("note: " + text)

    def sandbox(self, name, fast=False):
        s = Sandbox(self.fast_root if fast else self.root, name, self.build)
        self.sandboxes.append(s)
        return s

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        for s in self.sandboxes:
            s.stop()
        if not self.args.keep:
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.fast_root, ignore_errors=True)
        else:
            log("kept %s and %s" % (self.root, self.fast_root))

    # -- data

    def gen_data(self):
        self.data = os.path.join(self.root, "gen")
        os.makedirs(self.data, exist_ok=True)
        self.tsv = {}
        for n in (1000, 10000, 100000):
            path = os.path.join(self.data, "followups-%d.tsv" % n)
            run([PY, os.path.join(BENCH, "gen-followups.py"), str(n), str(self.anchor), "tsv", path])
            self.tsv[n] = path
        today = datetime.date.today()
        monday = today - datetime.timedelta(days=today.weekday())
        self.ics = os.path.join(self.data, "events-%d.ics" % self.n_events)
        run([PY, os.path.join(BENCH, "gen-ics.py"), "--count", str(self.n_events), "--start",
             monday.isoformat(), self.ics])
        self.ics_meetings = self.ics
        self.results["data"] = {
            "anchor": self.anchor,
            "followups": "bench/gen-followups.py: about 27 a day from the anchor (2 h ahead), "
                         "none due during the run",
            "ics": {"events": self.n_events, "bytes": os.path.getsize(self.ics), "start": monday.isoformat()},
        }

    def build_stores(self):
        """Fills netctl stores on tmpfs through the bus, once per size."""
        self.stores = {}
        for n in (1000, 10000, 100000):
            s = self.sandbox("load-%d" % n, fast=True)
            s.start_bus()
            s.start_daemon()
            t = time.monotonic()
            added = s.add_followups(self.tsv[n])
            log("loaded %d follow-ups through the bus in %.1f s" % (added, time.monotonic() - t))
            if n == 100000:
                self.load_rate = added / (time.monotonic() - t)
            s.stop()
            self.stores[n] = s
        # 100,000 follow-ups and the meetings, for start-up.
        s = self.sandbox("load-100000-meetings", fast=True)
        s.copy_db_from(self.stores[100000])
        s.start_bus()
        s.start_daemon()
        t = time.monotonic()
        secs, outcome = s.import_bus(self.ics_meetings)
        log("imported %d meetings into the 100k store in %.1f s (%s)"
            % (self.n_events, time.monotonic() - t, " ".join(outcome)))
        s.stop()
        self.stores["100000+meetings"] = s

    def disk_store(self, name, size, config=None):
        s = self.sandbox(name)
        if size:
            s.copy_db_from(self.stores[size])
        if config:
            s.write_config(config)
        s.start_bus()
        return s

    # -- measurements

    def start_idle(self):
        """The idle window: netctld at 1k and 100k with nothing due, and the
        peers' daemons, each counted from /proc; remind and calcurse also
        get a few alarms at whole minutes to see when they fire."""
        cfg = "[breaks]\nwinddown = off\n"
        self.idle = {}
        for n in (1000, 100000):
            s = self.disk_store("idle-%d" % n, n, cfg)
            s.start_daemon()
            self.idle[n] = s
        self.peer_idle = {}
        now = time.time()
        self.idle_end = now + 20 + self.idle_seconds
        # Whole minutes at least 20 s ahead and 5 s before the window ends.
        first = (int(now + 20) // 60 + 1) * 60
        self.alarm_times = [t for t in range(first, int(self.idle_end) - 5, 60)][:9]

        stamp = os.path.join(self.root, "stamp.sh")
        with open(stamp, "w") as f:
            f.write("#!/bin/sh\n# when a peer's alarm fires\nlog=$1; shift\n"
                    "echo \"$(date +%s.%N) $*\" >> \"$log\"\n")
        os.chmod(stamp, 0o755)

        # remind -z: the 10,000 reminders and the alarms (AT is to the minute).
        rdir = os.path.join(self.root, "remind-daemon")
        os.makedirs(rdir, exist_ok=True)
        rfile = os.path.join(rdir, "daemon.rem")
        self.remind_log = os.path.join(rdir, "fired.log")
        with open(rfile, "w") as f:
            f.write("INCLUDE %s\n" % self.peers.remind_file)
            for t in self.alarm_times:
                lt = time.localtime(t)
                f.write("REM %s AT %s MSG alarm-%d\n" % (time.strftime("%Y-%m-%d", lt),
                                                        time.strftime("%H:%M", lt), t))
        p = subprocess.Popen(["remind", "-z1", "-k%s %s %%s" % (stamp, self.remind_log), rfile],
                             env=self.peers.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        self.peer_idle["remind -z"] = p.pid

        # calcurse --daemon: the 10,000 appointments and the alarms flagged
        # important ("!"); notification.warning = 60 s, the least that never
        # misses one, since the daemon sleeps 60 s at a time.
        cdir = os.path.join(self.root, "calcurse-daemon")
        shutil.copytree(self.peers.calcurse_dir, cdir)
        self.calcurse_log = os.path.join(cdir, "fired.log")
        with open(os.path.join(cdir, "apts"), "a") as f:
            for t in self.alarm_times:
                lt = time.localtime(t)
                f.write("%s -> %s !|alarm-%d\n" % (time.strftime("%m/%d/%Y @ %H:%M", lt),
                                                   time.strftime("%m/%d/%Y @ %H:%M", lt), t))
        with open(os.path.join(cdir, "conf"), "w") as f:
            f.write("daemon.enable=yes\ndaemon.log=no\nnotification.warning=60\n"
                    "notification.command=%s %s fired\n" % (stamp, self.calcurse_log))
        run(["calcurse", "-D", cdir, "--daemon"], env=self.peers.env)
        pid = None
        for _ in range(50):
            try:
                with open(os.path.join(cdir, ".daemon.pid")) as f:
                    pid = int(f.read().strip())
                break
            except (OSError, ValueError):
                time.sleep(0.1)
        self.calcurse_daemon = pid
        if pid:
            self.peer_idle["calcurse --daemon"] = pid

        # Let every daemon settle: GLib ends its idle pool thread about 15 s
        # after netctld starts, which is start-up, not idleness.
        time.sleep(20)
        self.idle_start = time.monotonic()
        self.idle_before = {}
        for n, s in self.idle.items():
            self.idle_before["netctld %dk" % (n // 1000)] = (s.daemon.pid, wakeups(s.daemon.pid))
        for name, pid in self.peer_idle.items():
            self.idle_before[name] = (pid, wakeups(pid))
        self.idle_memory = {n: memory(s.daemon.pid) for n, s in self.idle.items()}
        log("idle window open for %d s; peers' alarms at %s" % (
            self.idle_seconds, ", ".join(time.strftime("%H:%M", time.localtime(t)) for t in self.alarm_times)))

    def finish_idle(self):
        left = self.idle_start + self.idle_seconds - time.monotonic()
        if left > 0:
            log("waiting %.0f s for the idle window to close" % left)
            time.sleep(left)
        elapsed = time.monotonic() - self.idle_start
        rows = {}
        for name, (pid, before) in self.idle_before.items():
            after = wakeups(pid)
            if before is None or after is None:
                rows[name] = {"error": "process gone"}
                continue
            row = wakeups_between(before, after)
            row["seconds"] = round(elapsed, 1)
            row["per_minute"] = round(row["wakeups"] * 60.0 / elapsed, 2)
            rows[name] = row
        # remind -z and calcurse --daemon fork the alarm command: their own
        # wake-ups for it are in the count, the command's are not.
        for name in ("remind -z", "calcurse --daemon"):
            if name in self.peer_idle:
                rows[name]["alarms_in_window"] = len(self.alarm_times)
        self.results["idle"] = rows
        # Memory of the 1k store, warm (after a full list), for the table.
        s = self.idle[1000]
        s.netctl("list", "--all", "--json")
        s.netctl("status")
        self.memory_rows[1000] = {"cold": self.idle_memory[1000], "warm": memory(s.daemon.pid)}

        # The peers' alarms.
        def fired(path):
            out = {}
            try:
                with open(path) as f:
                    for line in f:
                        m = re.match(r"(\d+\.\d+) .*alarm-(\d+)", line)
                        if m:
                            out.setdefault(int(m.group(2)), float(m.group(1)))
            except OSError:
                pass
            return out
        # calcurse's command is told nothing about which alarm; take the
        # fired times in order against the alarms in order.
        calc = []
        try:
            with open(self.calcurse_log) as f:
                calc = [float(line.split()[0]) for line in f if line.strip()]
        except OSError:
            pass
        peers_late = {}
        rem = fired(self.remind_log)
        if rem:
            lat = [rem[t] - t for t in self.alarm_times if t in rem]
            peers_late["remind -z"] = self.lateness_summary(lat, len(self.alarm_times))
        if calc:
            lat = [f - t for f, t in zip(calc, self.alarm_times)]
            peers_late["calcurse --daemon"] = self.lateness_summary(lat, len(self.alarm_times))
        self.results["lateness_peers"] = peers_late
        for s in self.idle.values():
            s.stop()
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        if self.calcurse_daemon:
            try:
                os.kill(self.calcurse_daemon, signal.SIGTERM)
            except OSError:
                pass

    @staticmethod
    def lateness_summary(lat, expected):
        ms = [x * 1000.0 for x in lat]
        return {"n": len(ms), "expected": expected, "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99),
                "min_ms": min(ms) if ms else None, "max_ms": max(ms) if ms else None,
                "early": sum(1 for x in ms if x < 0)}

    def lateness(self):
        """Reminders due at distinct whole seconds, each delivered alone
        (digest_window = off: the default gathers those due within 2 min
        into one notification at the first one's time, on purpose)."""
        s = self.disk_store("lateness", None, "[reminders]\ndigest_window = off\n[breaks]\nwinddown = off\n")
        rec_log = os.path.join(s.dir, "notify.log")
        rec = subprocess.Popen([PY, os.path.join(BENCH, "notify-recorder.py"), rec_log], env=s.env,
                               stdout=subprocess.PIPE, text=True)
        self.procs.append(rec)
        if rec.stdout.readline().strip() != "ready":
            raise RuntimeError("notify-recorder did not start")
        s.start_daemon()
        self.empty_memory = memory(s.daemon.pid)
        first = int(time.time()) + 5
        dues = [first + i for i in range(self.n_late)]
        tsv = os.path.join(s.dir, "late.tsv")
        with open(tsv, "w") as f:
            for d in dues:
                f.write("%d\tbench-late due=%d\n" % (d, d))
        s.add_followups(tsv)
        log("lateness: %d reminders due one a second from %s" % (self.n_late, time.strftime("%H:%M:%S", time.localtime(first))))
        deadline = dues[-1] + 10
        got = {}
        while time.time() < deadline:
            time.sleep(1)
            got = {}
            with open(rec_log) as f:
                for line in f:
                    m = re.match(r"(\d+\.\d+)\tbench-late due=(\d+)", line)
                    if m:
                        got.setdefault(int(m.group(2)), float(m.group(1)))
            if len(got) >= len(dues):
                break
        lat = [got[d] - d for d in dues if d in got]
        self.results["lateness"] = self.lateness_summary(lat, len(dues))
        self.results["lateness"]["missing"] = len(dues) - len(lat)
        s.stop()
        rec.terminate()
        rec.wait()

    def cli(self):
        """Whole-process round trips with hyperfine, netctl and a peer in
        alternating rounds on the same 10,000 items (and netctl at 100k)."""
        s100 = self.disk_store("cli-100000", 100000)
        s100.start_daemon()
        s10 = self.disk_store("cli-10000", 10000)
        s10.start_daemon()
        # The same 100,000 on tmpfs, where the commit's fdatasync returns at
        # once: the difference to the disk store is what durability costs
        # an add on this machine.
        s100t = None
        if self.fast_is_tmpfs:
            s100t = self.sandbox("cli-100000-tmpfs", fast=True)
            s100t.copy_db_from(self.stores[100000])
            s100t.start_bus()
            s100t.start_daemon()
        else:
            self.note("No tmpfs: the add on a store without fsync cost is not measured.")
        # The same 100,000 with a [sync] tasks vdir linked (on disk too): an
        # add writes its file there and looks at no other follow-up.  The
        # start-up pass first writes all 100,000 files; measured after it.
        s100v = self.disk_store("cli-100000-sync", 100000,
                                "[sync]\ntasks = %s\n" % os.path.join(self.root, "cli-100000-sync", "tasks"))

        def wait_in_step(poll):
            t = time.monotonic()
            while True:
                # Answered once the pass is over: netctld runs it in one go.
                r = s100v.netctl("sync", "status", "--json", check=False)
                if r.returncode == 0 and json.loads(r.stdout)["links"][0]["in_step"]:
                    return
                if time.monotonic() - t > 900:
                    raise RuntimeError("the [sync] vdir of 100,000 follow-ups was not in step after 900 s")
                time.sleep(poll)

        s100v.start_daemon()
        t = time.monotonic()
        wait_in_step(1)
        self.results["sync_link"] = {"followups": 100000, "seconds": round(time.monotonic() - t, 1),
                                     "what": "netctld started with [sync] tasks naming an empty directory, "
                                             "until sync status says in step (one file and record each)"}
        log("[sync] tasks vdir of 100,000 follow-ups in step after %.0f s" % (time.monotonic() - t))
        # Restarts with that vdir in step and nothing changed: the first
        # reads every file (their state is not noted when netctld writes
        # them) and notes it, the next reads none.  A file's state is noted
        # once its ctime is over two seconds old: waited for, not raced.
        time.sleep(3)
        restarts, answers = [], []
        for _ in range(2):
            s100v.stop_daemon()
            t = time.monotonic()
            s100v.start_daemon()
            # A call made at READY, while the scan runs: answered between
            # two of its steps.
            a = time.monotonic()
            s100v.netctl("list", "--week")
            answers.append(round((time.monotonic() - a) * 1000, 1))
            wait_in_step(0.02)
            restarts.append(round(time.monotonic() - t, 2))
        self.results["sync_restart"] = {
            "followups": 100000, "first_seconds": restarts[0], "next_seconds": restarts[1],
            "first_answer_ms": answers,
            "what": "netctld restarted with the linked vdir unchanged, from exec until sync status answers "
                    "in step; first: the start after linking, next: the one after that; first_answer_ms: "
                    "netctl list --week run at READY, while the scan runs"}
        log("restarts with the vdir linked: in step after %.2f s, then %.2f s; list --week at READY "
            "took %.1f and %.1f ms" % tuple(restarts + answers))
        self.memory_rows[10000] = {"cold": memory(s10.daemon.pid)}
        self.memory_rows[100000] = {"cold": memory(s100.daemon.pid)}
        netctl = os.path.join(self.build, "netctl")
        pe = self.peers.env
        work = os.path.join(self.root, "hyperfine")
        os.makedirs(work, exist_ok=True)
        one = os.path.join(self.root, "one.ics")
        with open(one, "w") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//netctl//bench//EN\r\nBEGIN:VEVENT\r\n"
                    "UID:bench-one@netctl\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\n"
                    "SUMMARY:Bench add\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                    % (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.anchor + 40 * 86400)),
                       time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.anchor + 40 * 86400 + 900))))
        cal = self.peers.calcurse_dir
        rem = self.peers.remind_file
        khal = self.peers.khal_conf

        def env_for(s):
            e = dict(pe)
            e["DBUS_SESSION_BUS_ADDRESS"] = s.address
            # netctl finds netctld's direct socket here, as in a session;
            # the peers do not read it.
            e["XDG_RUNTIME_DIR"] = s.env["XDG_RUNTIME_DIR"]
            return e

        R, W = self.rounds, 3
        cases = [
            ("floor", s100, [
                # What any process costs here, for scale.
                ("/bin/true", "/bin/true", self.runs),
                ("netctl --version", "%s --version" % netctl, self.runs),
            ]),
            ("add", s100, [
                ("netctl add (100k stored)", "%s add 'Call Ana about the referral' --in 40d -q" % netctl, self.runs),
                ("task add (10k)", "task add 'Call Ana about the referral' due:40d", self.peer_runs),
                ("calcurse -i one event (10k)", "calcurse -D %s -q -i %s" % (cal, one), self.peer_runs),
            ] + ([
                ("netctl add (100k stored, tmpfs)", "%s add 'Call Ana about the referral' --in 40d -q" % netctl,
                 self.runs, env_for(s100t)),
            ] if s100t else []) + [
                ("netctl add (100k stored, [sync] tasks)",
                 "%s add 'Call Ana about the referral' --in 40d -q" % netctl, self.runs, env_for(s100v)),
            ]),
            ("week", s100, [
                ("netctl list --week (100k)", "%s list --week" % netctl, self.runs),
            ]),
            ("week10", s10, [
                ("netctl list --week (10k)", "%s list --week" % netctl, self.runs),
                ("calcurse -Q --days 7 (10k)", "calcurse -D %s -Q --days 7" % cal, self.peer_runs),
                ("remind -q (10k)", "remind -q %s" % rem, self.peer_runs),
                ("khal list today 7d (10k)", "khal -c %s list today 7d" % khal, self.peer_runs),
            ]),
            ("all", s10, [
                ("netctl list --all --json (10k)", "%s list --all --json" % netctl, self.runs),
                ("task list (10k)", "task list", self.peer_runs),
            ]),
            ("status", s100, [
                ("netctl status (100k)", "%s status" % netctl, self.runs),
            ]),
        ]
        out = {}
        for key, s, commands in cases:
            log("hyperfine: %s" % ", ".join(c[0] for c in commands))
            times = hyperfine(commands, env_for(s), R, self.runs, W, work)
            for name, v in times.items():
                out[name] = {"median_ms": median(v) * 1000.0, "runs": len(v),
                             "p90_ms": percentile([x * 1000.0 for x in v], 90),
                             "min_ms": min(v) * 1000.0}
        self.results["cli"] = out
        for n, s in ((10000, s10), (100000, s100)):
            s.netctl("list", "--all", "--json")
            s.netctl("status")
            self.memory_rows[n]["warm"] = memory(s.daemon.pid)
        s10.stop()
        s100.stop()
        s100v.stop()
        if s100t:
            s100t.stop()

    def imports(self):
        """The import comparison is bench/import.sh's (netctl import, khal
        import and calcurse -i of the same gen-ics.py file, each into an
        empty store); its JSON goes into this run's results."""
        import_sh = os.path.join(BENCH, "import.sh")
        if not os.access(import_sh, os.X_OK):
            self.note("bench/import.sh is missing: imports not measured")
            return
        results = os.path.join(BENCH, "results")
        before = set(os.listdir(results)) if os.path.isdir(results) else set()
        cmd = [import_sh, "--build", self.build, "--count", str(self.n_events)]
        if self.quick:
            cmd += ["--runs", "1", "--khal-runs", "1"]
        log("imports: %s" % " ".join(cmd[1:]))
        r = run(cmd, check=False, env=dict(os.environ, TMPDIR=self.root))
        with open(os.path.join(self.root, "import.log"), "w") as f:
            f.write(r.stdout + r.stderr)
        new = sorted(f for f in set(os.listdir(results)) - before if f.startswith("import-") and f.endswith(".json"))
        if r.returncode != 0 or not new:
            self.note("bench/import.sh failed (%d): %s" % (r.returncode, (r.stderr or r.stdout).strip()[-300:]))
            return
        with open(os.path.join(results, new[-1])) as f:
            self.results["import"] = json.load(f)
        self.results["import"]["json"] = "bench/results/" + new[-1]
        t = self.results["import"]["tools"]
        log("imports: netctl %.2f s, calcurse %.2f s, khal %.2f s" % (
            t["netctl"]["wall_median_s"], t["calcurse"]["wall_median_s"], t["khal"]["wall_median_s"]))

    def startup(self):
        """exec to READY=1 with 100,000 follow-ups and the meetings."""
        s = self.disk_store("startup", "100000+meetings")
        times = []
        for i in range(self.n_starts + 1):
            t = s.start_daemon()
            if i == 0:
                mem = memory(s.daemon.pid)
            else:
                times.append(t)     # the first start warms the page cache
            s.stop_daemon()
        self.results["startup"] = {"median_ms": median(times) * 1000.0, "min_ms": min(times) * 1000.0,
                                   "max_ms": max(times) * 1000.0, "starts": len(times),
                                   "meetings": self.n_events, "followups": 100000, "memory": mem}
        empty = self.disk_store("startup-empty", None)
        et = []
        for i in range(self.n_starts + 1):
            t = empty.start_daemon()
            if i:
                et.append(t)
            empty.stop_daemon()
        self.results["startup_empty"] = {"median_ms": median(et) * 1000.0}
        s.stop()
        empty.stop()

    def run(self):
        self.memory_rows = {}
        self.results["machine"] = machine(self.build)
        self.results["started"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        log("data and stores in %s (and %s)" % (self.root, self.fast_root))
        self.gen_data()
        self.peers = Peers(self.root, 10000, self.anchor, self.ics)
        # The peers' set-up (mostly khal building its cache) and netctl's
        # stores (the daemon and bench-client) use a core each.
        log("peers: importing 10,000 tasks, writing remind, calcurse and khal data")
        failure = []

        def peers_setup():
            try:
                self.peers.setup()
            except BaseException as e:     # re-raised below
                failure.append(e)
        t = threading.Thread(target=peers_setup)
        t.start()
        self.build_stores()
        t.join()
        if failure:
            raise failure[0]
        log("peers ready")
        self.results["load"] = {"followups_per_second_via_bus": round(self.load_rate)}

        self.start_idle()
        self.lateness()
        self.cli()
        self.imports()
        self.startup()
        self.finish_idle()
        self.results["memory"] = {str(k): v for k, v in sorted(self.memory_rows.items())}
        self.results["memory_empty"] = self.empty_memory
        self.results["machine"]["loadavg_end"] = os.getloadavg()
        self.results["seconds"] = round(time.monotonic() - START, 1)


# ---- the report ----------------------------------------------------------

def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 1000:
        return "%.2f s" % (v / 1000.0)
    if v >= 10:
        return "%.0f ms" % v
    return "%.1f ms" % v


def ratio(peer, ours):
    if not peer or not ours:
        return "-"
    return "%.0fx" % (peer / ours) if peer / ours >= 10 else "%.1fx" % (peer / ours)


def report(res):
    lines = []
    m = res["machine"]
    lines.append("netctl benchmarks%s, %s" % (" (quick)" if res.get("quick") else "", res.get("started", "")))
    lines.append("Machine: %s, %d CPUs, %s MiB, Linux %s, %s; load average %.1f at start, %.1f at end"
                 % (m["cpu"], m["nproc"], m["memory_mib"], m["kernel"], m["os"],
                    m["loadavg_start"][0], m.get("loadavg_end", [0])[0]))
    lines.append("Versions: " + ", ".join("%s %s" % (k, v) for k, v in m["versions"].items() if v))
    lines.append("")
    rows = [("measure", "netctl", "peer", "ratio (peer / netctl)", "goal")]

    late = res.get("lateness", {})
    pl = res.get("lateness_peers", {})
    rem, calc = pl.get("remind -z"), pl.get("calcurse --daemon")
    def peer_late(k, v):
        p50 = v["p50_ms"]
        when = "%s late" % fmt_ms(p50) if p50 >= 0 else "%s early" % fmt_ms(-p50)
        return "%s %s (median of %d; %d early)" % (k, when, v["n"], v["early"])
    rows.append(("reminder lateness p50 / p99 (n=%s)" % late.get("n"),
                 "%s / %s, %d early" % (fmt_ms(late.get("p50_ms")), fmt_ms(late.get("p99_ms")), late.get("early", 0)),
                 "; ".join(peer_late(k, v) for k, v in pl.items()) or "-",
                 "", "p99 < 10 ms, never early"))
    idle = res.get("idle", {})
    for name in ("netctld 1k", "netctld 100k"):
        v = idle.get(name, {})
        peers = "; ".join("%s %s/min" % (k, idle[k].get("per_minute")) for k in ("remind -z", "calcurse --daemon")
                          if k in idle) if name.endswith("1k") else ""
        rows.append(("idle wake-ups over %s s, %s" % (v.get("seconds"), name),
                     str(v.get("wakeups")) + (" (%d thread(s) exited)" % v["threads_exited"]
                                              if v.get("threads_exited") else ""),
                     peers, "", "0"))
    cli = res.get("cli", {})

    def c(name):
        return cli.get(name, {}).get("median_ms")
    rows.append(("process floor: /bin/true; netctl --version", "%s; %s" % (fmt_ms(c("/bin/true")),
                                                                      fmt_ms(c("netctl --version"))),
                 "", "", ""))
    rows.append(("add one item", fmt_ms(c("netctl add (100k stored)")) + " (100k stored)",
                 "task add %s; calcurse -i %s (10k)" % (fmt_ms(c("task add (10k)")),
                                                        fmt_ms(c("calcurse -i one event (10k)"))),
                 "%s; %s" % (ratio(c("task add (10k)"), c("netctl add (100k stored)")),
                             ratio(c("calcurse -i one event (10k)"), c("netctl add (100k stored)"))),
                 "< 3 ms"))
    if c("netctl add (100k stored, tmpfs)") is not None:
        rows.append(("add one item, the same store on tmpfs (fdatasync free)",
                     fmt_ms(c("netctl add (100k stored, tmpfs)")), "", "", ""))
    if c("netctl add (100k stored, [sync] tasks)") is not None:
        rows.append(("add one item, 100k, with a [sync] tasks vdir linked",
                     fmt_ms(c("netctl add (100k stored, [sync] tasks)")), "", "", ""))
    link = res.get("sync_link")
    if link:
        rows.append(("link a [sync] tasks vdir to 100k (writes 100k files)", "%.1f s" % link["seconds"],
                     "", "", ""))
    restart = res.get("sync_restart")
    if restart:
        rows.append(("restart with that vdir linked, 100k files unchanged: until in step",
                     "%.2f s (the first start after linking: %.2f s)" % (restart["next_seconds"],
                                                                          restart["first_seconds"]),
                     "", "", ""))
        if restart.get("first_answer_ms"):
            rows.append(("netctl list --week at READY, while that scan runs",
                         "%.1f ms (first start: %.1f ms)" % (restart["first_answer_ms"][1],
                                                            restart["first_answer_ms"][0]), "", "", ""))
    rows.append(("list the week", "%s (100k); %s (10k)" % (fmt_ms(c("netctl list --week (100k)")),
                                                          fmt_ms(c("netctl list --week (10k)"))),
                 "calcurse -Q --days 7 %s; remind -q %s; khal list %s (10k)"
                 % (fmt_ms(c("calcurse -Q --days 7 (10k)")), fmt_ms(c("remind -q (10k)")),
                    fmt_ms(c("khal list today 7d (10k)"))),
                 "%s; %s; %s" % (ratio(c("calcurse -Q --days 7 (10k)"), c("netctl list --week (10k)")),
                                 ratio(c("remind -q (10k)"), c("netctl list --week (10k)")),
                                 ratio(c("khal list today 7d (10k)"), c("netctl list --week (10k)"))),
                 "< 10 ms"))
    rows.append(("list all as JSON, 10k", fmt_ms(c("netctl list --all --json (10k)")),
                 "task list %s" % fmt_ms(c("task list (10k)")),
                 ratio(c("task list (10k)"), c("netctl list --all --json (10k)")), ">= 20x"))
    rows.append(("status (counts), 100k", fmt_ms(c("netctl status (100k)")), "", "", ""))
    imp = res.get("import", {}).get("tools")
    if imp:
        n = imp["netctl"]["wall_median_s"] * 1000.0
        ci = imp["calcurse"]["wall_median_s"] * 1000.0
        ki = imp["khal"]["wall_median_s"] * 1000.0
        rows.append(("import %s events (bench/import.sh)" % res["import"]["file"]["events"], fmt_ms(n),
                     "calcurse -i %s; khal import %s" % (fmt_ms(ci), fmt_ms(ki)),
                     "%s; %s" % (ratio(ci, n), ratio(ki, n)), ">= 10x; >= 200x"))
        floor = res["import"].get("libical_parse")
        if floor:
            p = floor["wall_median_s"] * 1000.0
            rows.append(("libical's parse of that file alone (bench-client parse)", fmt_ms(p), "",
                         "at most %s; %s" % (ratio(ci, p), ratio(ki, p)), ""))
        write = res["import"].get("sqlite_write")
        if write:
            w = write["wall_median_s"] * 1000.0
            rows.append(("SQLite writing that import's rows alone (INSERT ... SELECT)", fmt_ms(w), "",
                         "at most %s; %s" % (ratio(ci, w), ratio(ki, w)), ""))
        rss = imp["netctl"].get("rss_after_kib")
        if rss:
            rows.append(("memory after that import: RSS", "%.1f MiB" % (statistics.median(rss) / 1024.0),
                         "", "", ""))
    st = res.get("startup", {})
    rows.append(("start to READY, 100k + %s meetings" % st.get("meetings"), fmt_ms(st.get("median_ms")),
                 "(empty store: %s)" % fmt_ms(res.get("startup_empty", {}).get("median_ms")), "", "< 50 ms"))
    mem = res.get("memory", {})
    for n in ("1000", "10000", "100000"):
        v = mem.get(n, {})
        w = v.get("warm") or {}
        cold = v.get("cold") or {}
        rows.append(("memory at %sk: RSS / private dirty" % (int(n) // 1000),
                     "%.1f / %.1f MiB" % (w.get("Rss", 0) / 1024.0, w.get("Private_Dirty", 0) / 1024.0),
                     "after start %.1f / %.1f MiB" % (cold.get("Rss", 0) / 1024.0,
                                                       cold.get("Private_Dirty", 0) / 1024.0),
                     "", "flat; < 3 MiB private over empty" if n == "100000" else ""))
    e = res.get("memory_empty") or {}
    rows.append(("memory, empty store", "%.1f / %.1f MiB" % (e.get("Rss", 0) / 1024.0, e.get("Private_Dirty", 0) / 1024.0),
                 "", "", ""))

    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    for i, r in enumerate(rows):
        lines.append("| " + " | ".join(str(x).ljust(widths[j]) for j, x in enumerate(r)) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    if res.get("notes"):
        lines.append("")
        lines.extend("Note: " + n for n in res["notes"])
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1")
    ap.add_argument("--idle-seconds", type=int, default=None)
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    ap.add_argument("--report", metavar="JSON", help="only print the table of an earlier run")
    ap.add_argument("--lateness-only", action="store_true",
                    help="only measure reminder lateness (no peers; printed, not saved)")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            print(report(json.load(f)))
        return 0
    if args.idle_seconds is None:
        env = os.environ.get("BENCH_IDLE_SECONDS")
        args.idle_seconds = int(env) if env else (60 if args.quick else 600)
    for tool in ("hyperfine", "remind", "calcurse", "task", "khal", "dbus-daemon"):
        if not shutil.which(tool):
            sys.stderr.write("bench: %s is missing; run bench/install-peers (make bench does)\n" % tool)
            return 1
    for f in ("netctld", "netctl", "libnetctl-client.so", "bench/bench-client"):
        if not os.access(os.path.join(args.build, f), os.R_OK):
            sys.stderr.write("bench: %s/%s is missing; run make bench\n" % (args.build, f))
            return 1

    b = Bench(args)
    if args.lateness_only:
        try:
            b.lateness()
        finally:
            b.cleanup()
        print(json.dumps(b.results["lateness"], indent=1, sort_keys=True))
        return 0
    try:
        b.run()
    except BaseException:
        b.cleanup()
        raise
    b.cleanup()
    res = b.results
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = os.path.join(args.out, "bench-%s%s.json" % (stamp, "-quick" if args.quick else ""))
    with open(path, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    shutil.copyfile(path, os.path.join(args.out, "latest.json"))
    print(report(res))
    print("\nJSON: %s (%.0f s in all)" % (os.path.relpath(path, ROOT), res["seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

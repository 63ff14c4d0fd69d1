# runtime.py -- the machinery that every Python program of
# `sockplay --export python` carries: how its sides take turns, report and
# print their results.
#
# A program is cut from this file. A line "#@ NAME" starts the chunk NAME,
# "#@ end" ends it, and "#@ = NAME" marks where export.c writes the part of
# the program that is the script's own (its sides, the script, its tables).
# Only chunks go into a program, and only those its script needs: export.c
# says which, one row per helper. The build byte-compiles this file as it is.
#@ top

#@ end
#@ import_ast
import ast
#@ end
#@ imports
import ctypes
import errno
#@ end
#@ import_mmap
import mmap
#@ end
#@ imports_os
import os
import resource
import select
import signal
import socket
#@ end
#@ import_struct
import struct
#@ end
#@ import_ioctl
import fcntl
import termios
#@ end
#@ imports_end
import sys
import time

#@ end
#@ helpers
# Helpers, defined at the end of the file with the machinery that keeps the
# sides in the script's order (you may skip that part):
#   with step(TEXT) as r:  wait for this side's turn in the script, say which
#                          call it makes, and record in r what the call did:
#                          r.ret as C returns it (-1 and r.err where Python
#                          raises OSError), r.data received, r.note
#   turn(); call(TEXT)     the same in two halves, for a call whose address is
#                          made in between
#   check(LINE, OK, WANT)  the script's expectation ("= 0") on that result
#   keep(sock), fd(sock)   keep a socket open, as a C program keeps its
#                          descriptors; the descriptor's number
#   run(side, line)        the parent: let a side make its next call
#@ end
#@ helpers_expect
#   expect(side, name, STATE, line)  ask the kernel for a socket's TCP state
#@ end
#@ helpers_end


#@ end
#@ = sides
#@ script_begin
# ==== The script: whose turn it is, step by step ==========================


def script():
#@ end
#@ = script
    pass
#@ script_end


#@ end
#@ head
# ==== How the sides take turns (you may skip this part) =====================
#
# Each side runs in a process of its own. The parent gives it a turn (one
# byte on a pipe); the side says which call it makes, makes it and reports
# the result (lines on another pipe); the parent prints them. A call that
# has not returned after BLOCK_AFTER seconds is shown <blocked>: it goes on
# waiting in the kernel while the script goes on, and its result is printed
# right after the step that released it.

#@ end
#@ = tables
#@ core

BLOCK_AFTER = 0.100    # a call asleep in the kernel longer is shown <blocked>
RELEASE_WAIT = 1.0     # how long a call released by a step may take to report
TIMEOUT = 5.0          # how long a blocked side may hold up the script


def errno_name(err):
    return ERRNO_NAMES.get(err, "E?")


def escape(data, maxshow, size=1 << 30):
    """Bytes as text: printable ASCII as is, the rest escaped (\\n, \\x1b)."""
    out = []
    n = 0
    shown = 0
    for c in data[:maxshow]:
        if c in b"\n\r\t\"\\":
            t = "\\" + {10: "n", 13: "r", 9: "t"}.get(c, chr(c))
        elif 0x20 <= c < 0x7F:
            t = chr(c)
        else:
            t = "\\x%02x" % c
        if n + len(t) + 4 >= size:
            break
        out.append(t)
        n += len(t)
        shown += 1
    if shown < len(data) and n + 3 < size:
        out.append("...")
    return "".join(out)

#@ end
#@ show
def show(addr):
    """An address as sockplay shows it: 127.0.0.1:8888, [::1]:8888, *:8888, /path, @name."""
    if addr is None:
        return "AF_UNSPEC"
    if isinstance(addr, tuple):
        host, port = addr[0], addr[1]
        if ":" in host:
            return "[%s]:%d" % (host, port)
        return "*:%d" % port if host == "0.0.0.0" else "%s:%d" % (host, port)
    if isinstance(addr, bytes) and addr[:1] == b"\0":
        return "@" + escape(addr[1:], 100, 256)
    if isinstance(addr, bytes):
        addr = addr.split(b"\0")[0].decode("utf-8", "surrogateescape")
    if not addr:
        return "(unnamed)"
    return escape(addr.encode("utf-8", "surrogateescape"), 100, 256)


def note(what, addr):
    """accept() and recvfrom() tell who the peer is: "peer 127.0.0.1:40000"."""
    return None if addr is None else "%s %s" % (what, show(addr))

#@ end
#@ actor
# ---- in a side's process ----

turn_fd = report_fd = -1  # our ends of the pipes to the parent
interrupted = False       # the parent interrupted our blocked call
in_call = False
pending = None            # the last call's result, not yet sent
last = None               # the last call's result, for check()
sockets = []              # every socket we made: kept open until the script ends
fds = {}                  # their descriptors, still known after close()


def on_interrupt(sig, frame):
    global interrupted
    interrupted = True
    if in_call:  # make the blocked call fail with EINTR, as in C
        raise InterruptedError(errno.EINTR, os.strerror(errno.EINTR))


def send_line(line):
    os.write(report_fd, (line + "\n").encode("utf-8", "surrogateescape")[:4096])


def send_result():
    """Send the parent the last call's result (and whether its expectation failed)."""
    global pending
    if pending:
        r = pending
        send_line("done\t%d\t%d\t%d\t%s\t%s" % (r.ret, r.err, r.fail_line, r.text(), r.fail_msg))
        pending = None


def turn():
    """Wait until the script gets to our next step."""
    global interrupted
    send_result()
    if os.read(turn_fd, 1) != b"\0":
        os._exit(0)  # the parent is gone
    interrupted = False


class Result:
    """What a call did: the return value as in C (-1 and errno when it failed)."""

    def __init__(self, text):
        self.call, self.ret, self.err, self.data, self.note = text, 0, 0, None, None
        self.fail_line, self.fail_msg = 0, ""

    def __enter__(self):
        global in_call
        in_call = True
        return self

    def __exit__(self, kind, e, tb):
        global in_call, pending, last
        in_call = False
        if e is not None and not isinstance(e, OSError):
            return False
        if e is not None:  # Python raises what C returns as -1 and errno
            self.ret, self.err, self.data, self.note = -1, e.errno, None, None
        pending = last = self
        return True

    def text(self):
        if self.ret < 0:
            return " = -1 %s (%s)" % (errno_name(self.err), os.strerror(self.err))
        t = " = %d" % self.ret
        if self.data is not None:  # recv(), recvfrom(): what came, escaped
            esc = escape(self.data, 64, 64 * 4 + 8)
            if len(self.data) > 64 and esc.endswith("..."):
                t += ' "%s"...' % esc[:-3]
            elif self.ret > 0:  # recv(MSG_TRUNC): the datagram is longer than what was kept
                t += ' "%s"%s' % (esc, "..." if self.ret > len(self.data) else "")
        if self.note:
            t += " (%s)" % self.note
        return t


def call(text):
    """Say which call we are about to make (the parent shows it if it blocks)."""
    send_line("call\t" + text)
    return Result(text)


def step(text):
    """Wait for our turn, then say which call we make."""
    turn()
    return call(text)


class NotMade:
    """What a name holds while its socket was never made (its call failed), as C's -1:
    its number is -1 and every call on it fails with EBADF."""

    def fileno(self):
        return -1

    def __getattr__(self, name):
        def fail(*args):
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        return fail


NOT_MADE = NotMade()


def keep(sock):
    """Keep SOCK open (as a C program keeps its descriptors) and remember its number."""
    sockets.append(sock)
    fds[sock] = sock.fileno()
    return sock


def fd(sock):
    """The socket's descriptor, as C would print it (still its old number after close())."""
    return fds.get(sock, sock.fileno())


def close(sock):
    """sock.close(), except that closing twice fails with EBADF, as close() does in C."""
    if sock.fileno() < 0:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    sock.close()


def wait_for_end():
    """Keep our sockets open until the whole script has run."""
    send_result()
    while os.read(turn_fd, 1):
        pass
    os._exit(0)

#@ end
#@ by_number
def by_number(n):
    """The socket with descriptor N, as a C program names it by number."""
    for sock in sockets:
        if sock.fileno() == n:
            return sock
    return keep(socket.socket(fileno=n))  # fails with EBADF when there is none

#@ end
#@ family_of
def family_of(sock):
    """The socket's address family (AF_INET, AF_INET6 ...), None once it is closed."""
    return sock.family if sock.fileno() >= 0 else None

#@ end
#@ raw
libc = ctypes.CDLL(None, use_errno=True)


def raw(name, sock, family, addr, data=None, flags=0):
    """bind(), connect() or sendto() with an address of another family than the
    socket's. Python refuses such an address itself; C hands it to the kernel,
    which answers EAFNOSUPPORT or EINVAL: do as C does, through libc."""
    if family == socket.AF_UNSPEC:  # connect(): dissolve the association
        sa, salen = struct.pack("H14x", family), 16
    elif family == socket.AF_UNIX:
        path = addr.encode() if isinstance(addr, str) else addr
        sa = struct.pack("H", family) + path + b"\0" * (108 - len(path))
        salen = 2 + len(path) + (0 if path[:1] == b"\0" else 1)
    elif family == socket.AF_INET6:
        sa = (struct.pack("=H", family) + struct.pack("!HI", addr[1], 0)
              + socket.inet_pton(family, addr[0]) + bytes(4))
        salen = 28
    else:
        sa = (struct.pack("=H", family) + struct.pack("!H", addr[1])
              + socket.inet_pton(family, addr[0]) + bytes(8))
        salen = 16
    fileno = sock.fileno() if sock.fileno() >= 0 else fd(sock)
    if name == "sendto":
        ret = libc.sendto(fileno, data, len(data), flags, sa, salen)
    else:
        ret = getattr(libc, name)(fileno, sa, salen)
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return ret

#@ end
#@ check
def check(line, ok, want, data=False, value=False):
    """The script's expectation ("= 0", "= -1 ECONNREFUSED") on the call that just returned;
    DATA: the bytes received are part of it; VALUE: the value noted ("(value 3)")."""
    r = last
    if ok:
        return
    r.fail_line = line
    if interrupted and r.ret == -1 and r.err == errno.EINTR:
        r.fail_msg = "%s was still blocked and was interrupted" % r.call
        return
    got = "-1 " + errno_name(r.err) if r.ret < 0 else "%d" % r.ret
    if data and r.ret >= 0:
        got += ' "%s"' % escape(r.data or b"", 60, 200)
    if value and r.ret >= 0 and r.note:
        got += " (%s)" % r.note
    r.fail_msg = "expected %s, got %s" % (want, got)

#@ end
#@ ready
POLL_NAMES = ((select.POLLIN, "POLLIN"), (select.POLLPRI, "POLLPRI"), (select.POLLOUT, "POLLOUT"),
              (select.POLLRDHUP, "POLLRDHUP"), (select.POLLERR, "POLLERR"), (select.POLLHUP, "POLLHUP"),
              (select.POLLNVAL, "POLLNVAL"))


def poll_note(events, watched):
    """What poll() found ready, as sockplay shows it ("a POLLIN, d POLLIN"); WATCHED: (fd, name)."""
    got = dict(events)
    return ", ".join("%s %s" % (name, "|".join(n for bit, n in POLL_NAMES if got[fileno] & bit))
                     for fileno, name in watched if got.get(fileno))


def select_note(ready, watched):
    """What select() left in its sets ("r: s, w: c"); WATCHED: (set 0 or 1, fd, name)."""
    parts = []
    for k, tag in enumerate(("r:", "w:")):
        names = [name for s, fileno, name in watched if s == k and fileno in ready[k]]
        if names:
            parts.append(tag + " " + " ".join(names))
    return ", ".join(parts)


def ready_items(text):
    items = []
    for part in filter(None, text.split(", ")):
        if part[:2] in ("r:", "w:"):
            items += [part[0] + ":" + n for n in part[2:].split()]
        else:
            items.append(part)
    return sorted(items)


def ready_is(r, want):
    """Whether the sockets found ready are those of WANT, in any order."""
    return ready_items(r.note or "") == ready_items(want)


def check_ready(line, ok, want):
    """The script's "= N ( ... )" on a poll() or select() that just returned."""
    r = last
    if ok:
        return
    r.fail_line = line
    if interrupted and r.ret == -1 and r.err == errno.EINTR:
        r.fail_msg = "%s was still blocked and was interrupted" % r.call
        return
    got = "-1 " + errno_name(r.err) if r.ret < 0 else "%d (%s)" % (r.ret, r.note or "")
    r.fail_msg = "expected %s, got %s" % (want, got)

#@ end
#@ shared
# Where the sockets that another side names (server.addr(s)) are bound: a
# block of memory that all the processes share. The owner writes it after
# each call on the socket; the others read it when their turn comes.
shared = mmap.mmap(-1, 256 * len(SHARED_NAMES))


def share_addr(name, sock):
    try:
        data = repr(sock.getsockname()).encode()
    except OSError:
        return
    i = SHARED_NAMES.index(name) * 256
    shared[i:i + 2 + len(data)] = struct.pack("H", len(data)) + data


def shared_addr(name):
    i = SHARED_NAMES.index(name) * 256
    (n,) = struct.unpack("H", shared[i:i + 2])
    return ast.literal_eval(shared[i + 2:i + 2 + n].decode())

#@ end
#@ parent
# ---- in the parent ----


class Side:
    def __init__(self, name, program):
        self.name, self.program = name, program
        self.pid = self.turn = self.reports = -1
        self.busy = self.blocked = self.interrupted = False
        self.line, self.makes, self.closes, self.call = 0, None, None, ""
        self.since = 0.0


failures = 0


def read_line(fd, timeout):
    """One line from FD, waiting at most TIMEOUT seconds (None: no limit); "" if none came."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    if not poller.poll(None if timeout is None else max(0, int(timeout * 1000))):
        return ""
    line = b""
    while not line.endswith(b"\n"):  # the whole line is there: it was written at once
        c = os.read(fd, 1)
        if not c:
            return None
        line += c
    return line[:-1].decode("utf-8", "surrogateescape")


def script_error(line, message):
    global failures
    print("%s:%d: error: %s" % (SCRIPT_FILE, line, message))
    failures += 1
    end_script(True)


def wait_result(a, timeout):
    """Wait at most TIMEOUT for side A's result; print it. True printed, False not yet."""
    global failures
    line = read_line(a.reports, timeout)
    if line == "":
        return False
    if line is None or not line.startswith("done\t"):
        a.busy = False
        script_error(a.line, "%s died during %s" % (a.name, a.call))
    _, ret, err, fail_line, text, message = line.split("\t", 5)
    # a call that returned its own result despite the signal was not interrupted
    a.interrupted = a.interrupted and int(ret) == -1 and int(err) == errno.EINTR
    mark = " <interrupted>" if a.interrupted else " <resumed>" if a.blocked else ""
    print("[%s] %s%s%s" % (a.name, a.call, mark, text))
    if int(fail_line):
        print("%s:%s: expectation failed: %s" % (SCRIPT_FILE, fail_line, message))
        failures += 1
    a.busy = a.blocked = a.interrupted = False
    track(a, int(ret))
    return True


def running(a):
    """Whether side A is on a CPU or about to be (or briefly in D, a page fault while it
    copies): its call is making progress. A call that waits sleeps in S."""
    try:
        stat = open("/proc/%d/stat" % a.pid).read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] in "RD"  # "PID (NAME) STATE ..."


def settle_one(a):
    """After a step: the result of side A's blocked call if the step released it.
    The side is waited for unless it is still asleep in its call."""
    t0 = time.monotonic()
    # a send woken by room for more may go back to sleep: do not wait long for it
    limit = 0.020 if a.call.startswith("send") else RELEASE_WAIT
    while a.busy and not wait_result(a, 0) and time.monotonic() - t0 < limit:
        if not running(a) and not wait_result(a, 0):
            return  # asleep, and nothing reported: still blocked
        wait_result(a, 0.001)


def settle(skip=None):
    """After a step: the results it released, side by side."""
    for a in SIDES:
        if a is not skip and a.busy:
            settle_one(a)


def side_of(program):
    return next(a for a in SIDES if a.program is program)


def wait_side(a):
    """Side A's next call is due: if it is still blocked in its last one, wait, up to TIMEOUT."""
    global failures
    if a.busy and not wait_result(a, TIMEOUT - (time.monotonic() - a.since)):
        print("%s:%d: %s is stuck: %s still blocked after %.1f s"
              % (SCRIPT_FILE, a.line, a.name, a.call, time.monotonic() - a.since))
        failures += 1
        end_script(True)


def run(program, line, makes=None, closes=None):
    """Let a side make its next call, the script's line LINE (which MAKES or CLOSES a socket).
    A side still blocked in its previous call is waited for first, up to TIMEOUT."""
    a = side_of(program)
    wait_side(a)
    remember_rows()
    a.busy, a.line, a.makes, a.closes = True, line, makes, closes
    a.since = time.monotonic()
    try:
        os.write(a.turn, b"\0")
        text = read_line(a.reports, None)
    except OSError:
        text = None
    if not text or not text.startswith("call\t"):
        a.busy = False
        script_error(line, "%s is gone" % a.name)
    a.call = text[5:]
    done = wait_result(a, BLOCK_AFTER)
    # slow is not blocked: a call still on a CPU (copying a megabyte) is waited for
    while not done and running(a) and time.monotonic() - a.since < TIMEOUT:
        done = wait_result(a, 0.020)
    if not done:
        a.blocked = True
        print("[%s] %s <blocked>" % (a.name, a.call))
    settle(a)


def title(text):
    for line in text.split("\n"):  # each line keeps its mark
        print("## " + line)


def say(text):
    for line in text.split("\n"):  # each line keeps its mark
        print("# " + line)


def sleep(ms):
    time.sleep(ms / 1000)
    settle()

#@ end
#@ track_none
def track(a, ret):
    pass


def remember_rows():
    pass

#@ end
#@ track
# expect ACTOR NAME STATE asks the kernel for the socket's TCP state, as
# `ss` or `netstat` would: from its tables in /proc/net. A socket is found
# by its inode; when the kernel has handed its connection over to an entry
# of its own (TIME_WAIT, or FIN_WAIT2 after close()), which has no inode, by
# the addresses it was last listed under: the parent notes them before
# every step.

EXPECT_WAIT = 1.0  # how long the kernel may take to get there
TCP_CLOSE = 7
NET_FILES = ["tcp", "tcp6", "udp", "udp6", "unix"]
tracked = {}  # (side, name) -> {"inode": ..., "open": ..., "row": (file, local, remote)}


def track(a, ret):
    """After a call returned: a socket made, or one closed."""
    if a.makes and ret >= 0:  # its inode, from the side's descriptor table: "socket:[12345]"
        link = os.readlink("/proc/%d/fd/%d" % (a.pid, ret))
        inode = int(link.strip("socket:[]"))
        tracked[a.name, a.makes] = {"inode": inode, "open": True, "row": None}
    elif a.closes and ret == 0 and (a.name, a.closes) in tracked:
        tracked[a.name, a.closes]["open"] = False


def kernel_state(t):
    """Socket T's state in the kernel's tables (TCP_CLOSE if the kernel has forgotten it)."""
    by_addr = None
    for f in NET_FILES:
        try:
            rows = open("/proc/net/" + f).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            col = row.split()
            if f == "unix":  # Num RefCount Protocol Flags Type St Inode Path
                inode, local, remote = int(col[6]), "", ""
                flags, st = int(col[3], 16), int(col[5], 16)
                state = LISTEN if flags & 0x10000 else ESTABLISHED if st == 3 else TCP_CLOSE
            else:  # sl local_address rem_address st ... inode
                inode, local, remote, state = int(col[9]), col[1], col[2], int(col[3], 16)
            if t["open"] and inode == t["inode"]:
                if f != "unix":  # note where it is listed
                    t["row"] = (f, local, remote)
                return state
            if inode == 0 and t["row"] == (f, local, remote):
                by_addr = state
    return TCP_CLOSE if by_addr is None else by_addr


def remember_rows():
    """Before a step: note where the kernel lists the sockets we will ask about."""
    for t in tracked.values():
        if t["open"]:
            kernel_state(t)


def expect(program, name, want, line):
    """expect ACTOR NAME STATE"""
    global failures
    a = side_of(program)
    if a.busy and a.makes == name:
        wait_side(a)  # the call that makes it has not returned yet
    t = tracked.get((a.name, name))
    if t is None:
        script_error(line, "%s has no socket '%s' yet" % (a.name, name))
    t0 = time.monotonic()
    state = kernel_state(t)
    while state != want and time.monotonic() - t0 < EXPECT_WAIT:
        time.sleep(0.010)
        state = kernel_state(t)
    print("[%s] state(%s) = %s" % (a.name, name, STATE_NAMES[state]))
    if state != want:
        print("%s:%d: expectation failed: expected %s, got %s (%s %s)"
              % (SCRIPT_FILE, line, STATE_NAMES[want], STATE_NAMES[state], a.name, name))
        failures += 1

#@ end
#@ = side_list
#@ main
def end_script(aborted=False):
    """The end of the script: interrupt the calls still blocked, stop the sides."""
    global failures
    settle()
    for a in SIDES:
        if a.busy:
            settle_one(a)  # it may have returned already: that is a result
        if not a.busy:
            continue
        a.interrupted = True
        for _ in range(40):  # again and again: a signal that comes just before the call is lost
            os.kill(a.pid, signal.SIGUSR1)
            if wait_result(a, 0.050):
                break
        if a.busy:
            print("%s:%d: error: %s did not return after being interrupted"
                  % (SCRIPT_FILE, a.line, a.call))
            failures += 1
    for a in SIDES:
        os.close(a.turn)  # a side reads the end of its pipe and exits
        if a.busy:
            os.kill(a.pid, signal.SIGKILL)
    for a in SIDES:
        os.waitpid(a.pid, 0)
    sys.stdout.flush()
    os._exit(1 if failures or aborted else 0)


def start(a):
    """Start side A: a process whose sockets start at 3, as in any fresh program."""
    global turn_fd, report_fd
    go_r, go_w = os.pipe()
    back_r, back_w = os.pipe()
    sys.stdout.flush()
    a.pid = os.fork()
    if a.pid > 0:
        os.close(go_r)
        os.close(back_w)
        a.turn, a.reports = go_w, back_r
        return
    # the side: keep its pipes out of the way, at the highest numbers
    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    top = 1023 if top == resource.RLIM_INFINITY or top > 1024 else top - 1
    turn_fd, report_fd = os.dup2(go_r, top - 1), os.dup2(back_w, top)
    os.closerange(3, top - 1)
    signal.signal(signal.SIGUSR1, on_interrupt)  # a blocked call fails with EINTR
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
    except (OSError, AttributeError):
        pass
    a.program()
    os._exit(0)


def main():
    sys.stdout.reconfigure(line_buffering=True)
    for a in SIDES:
        start(a)
    script()
    end_script()


if __name__ == "__main__":
    main()
#@ end

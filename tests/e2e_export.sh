#!/bin/bash
# End-to-end tests of `sockplay --export c|python`: for every demo and every
# script in tests/export/, the exported C compiles warning-free, and the C and
# the Python programs print the same transcript as `sockplay --batch` (ports
# the kernel picks masked) and exit with the same status.
#
# The exported programs use the network they are started in; here each runs in
# a network namespace of its own (unshare -rn) with only its loopback, brought
# up by python3 (no `ip` needed), so fixed ports never collide with anything.
cd "$(dirname "$0")/.." || exit 2
export LC_ALL=C.UTF-8 LANGUAGE= # the transcripts in English, as the programs print them
SP=${SOCKPLAY:-./sockplay}
CC=${CC:-cc}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

[ -x "$SP" ] || { echo "FAIL no ./sockplay: run make first"; exit 1; }
# The interpreter itself, not a wrapper that finds it (a version manager's shim costs a second a start).
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$PY" ] || { echo "FAIL no python3"; exit 1; }

# Ports the kernel picks (32768-60999 here) and the time a stuck side waited differ run to run.
mask() {
	sed -E -e 's/:(3[2-9][0-9]{3}|[4-6][0-9]{4})\b/:PORT/g' -e 's/still blocked after [0-9.]+ s/still blocked after N s/'
}

# Bring lo up inside a fresh network namespace: SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP.
cat >"$TMP/lo_up.py" <<'EOF'
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ifr = fcntl.ioctl(s, 0x8913, struct.pack("16sh22x", b"lo", 0))
flags = struct.unpack("16sh22x", ifr)[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sh22x", b"lo", flags | 1))
EOF
# An empty /tmp of the namespace's own, with DIR (under the host's /tmp) bound back at its path:
# AF_UNIX paths are files, and a script's /tmp/lab.sock must be neither the host's nor a parallel run's.
cat >"$TMP/private_tmp.py" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def mount(src, target, fstype, flags):
    if libc.mount(src.encode(), target.encode(), fstype.encode() if fstype else None, flags, None) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), target)
d = os.path.abspath(sys.argv[1])
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
mount("tmpfs", "/tmp", "tmpfs", 0)
os.makedirs(d, exist_ok=True)
mount("/proc/self/fd/%d" % fd, d, None, 4096)  # MS_BIND: the directory itself, back at its path
EOF
netns=1
if ! unshare -rnm sh -c '"$0" "$1" && "$0" "$2" "$3"' "$PY" "$TMP/lo_up.py" "$TMP/private_tmp.py" "$TMP" \
	2>"$TMP/unshare.err"; then
	netns=0
	echo "skip running the exported programs: no private network namespace here ($(head -1 "$TMP/unshare.err")): programs are compiled, not run"
fi
# in_netns DIR COMMAND...: run COMMAND in a network namespace of its own with lo up, and a /tmp
# of its own where only DIR is seen; never longer than a minute.
in_netns() {
	timeout -k 5 60 unshare -rnm sh -c '"$0" "$1" && "$0" "$2" "$3" && shift 3 && exec "$@"' \
		"$PY" "$TMP/lo_up.py" "$TMP/private_tmp.py" "$@"
}

# -- the command line ------------------------------------------------------------
out=$($SP --export rust assets/demos/hello.sp 2>&1); rc=$?
[ $rc = 2 ] && ok "--export rust: exit 2" || bad "--export rust: exit $rc: $out"
out=$($SP --export c 2>&1); rc=$?
[ $rc = 2 ] && ok "--export without a script: exit 2" || bad "--export without a script: exit $rc"
printf 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: lisen(s, 5)\n' >"$TMP/bad.sp"
out=$($SP --export c "$TMP/bad.sp" 2>&1); rc=$?
case "$rc:$out" in
2:*"bad.sp:2:9: error: unknown call 'lisen'"*) ok "--export of a wrong script: exit 2 with the diagnostic" ;;
*) bad "--export of a wrong script: exit $rc: $out" ;;
esac

# -- every script: compile, run, compare -------------------------------------------
# check_script SCRIPT DIR: prints ok/FAIL lines (into DIR/log when run in parallel).
check_script() {
	local sp=$1 d=$2 brc rc lang
	mkdir -p "$d"
	$SP --batch "$sp" >"$d/batch.out" 2>"$d/batch.err"
	brc=$?
	if [ $brc -gt 1 ]; then
		bad "$name: sockplay --batch exits $brc"; cat "$d/batch.err"; return
	fi

	# C: exported, compiled warning-free; also as strict C11
	if ! $SP --export c "$sp" >"$d/prog.c" 2>"$d/export.err"; then
		bad "$name: --export c fails"; cat "$d/export.err"; return
	fi
	if $CC -O2 -Wall -Wextra -Werror -o "$d/prog" "$d/prog.c" 2>"$d/cc.err" &&
		$CC -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only "$d/prog.c" 2>>"$d/cc.err"; then
		ok "$name: the exported C compiles with -Wall -Wextra -Werror (and -std=c11 -Wpedantic)"
	else
		bad "$name: the exported C does not compile cleanly"; head -30 "$d/cc.err"; return
	fi

	# Python: exported, valid
	if ! $SP --export python "$sp" >"$d/prog.py" 2>"$d/export.err"; then
		bad "$name: --export python fails"; cat "$d/export.err"; return
	fi
	if "$PY" -m py_compile "$d/prog.py" 2>"$d/py.err"; then
		ok "$name: the exported Python compiles"
	else
		bad "$name: the exported Python does not compile"; cat "$d/py.err"; return
	fi

	[ $netns = 1 ] || return
	mask <"$d/batch.out" >"$d/batch.masked"
	for lang in c python; do
		if [ $lang = c ]; then
			in_netns "$d" "$d/prog" >"$d/$lang.out" 2>"$d/$lang.err"
		else
			in_netns "$d" "$PY" "$d/prog.py" >"$d/$lang.out" 2>"$d/$lang.err"
		fi
		rc=$?
		if mask <"$d/$lang.out" | diff -u "$d/batch.masked" - >"$d/$lang.diff"; then
			ok "$name: $lang prints the batch transcript ($(wc -l <"$d/$lang.out") lines)"
		else
			bad "$name: $lang differs from sockplay --batch"; head -40 "$d/$lang.diff"; head -5 "$d/$lang.err"
		fi
		if [ $rc = $brc ]; then
			ok "$name: $lang exits $rc, as the batch does"
		else
			bad "$name: $lang exits $rc, the batch $brc"; head -5 "$d/$lang.err"
		fi
		if [ -s "$d/$lang.err" ]; then
			bad "$name: $lang wrote to stderr"; head -10 "$d/$lang.err"
		fi
	done
}

# A few scripts at a time (each runs in namespaces of its own); their lines in order.
JOBS=${EXPORT_JOBS:-3}
names=()
for sp in assets/demos/*.sp tests/export/*.sp; do
	[ -f "$sp" ] || continue
	name=$(basename "$sp" .sp)
	[[ $sp == tests/* ]] && name="export-$name"
	names+=("$name")
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	check_script "$sp" "$TMP/$name" >"$TMP/$name.log" 2>&1 &
done
wait
for name in "${names[@]}"; do
	cat "$TMP/$name.log"
	fails=$((fails + $(grep -c '^FAIL' "$TMP/$name.log")))
done

echo "$fails failed"
[ $fails = 0 ]

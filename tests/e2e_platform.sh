#!/bin/bash
# e2e_platform.sh -- sockplay where it runs: the sandbox by whichever recipe this machine allows
# (or a clear refusal), two host-network runs side by side, the wire view's note on the host
# network, and the AppArmor profile `make install` writes. One line per check.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
case "$SP" in /*) ;; *) SP=$PWD/$SP ;; esac
[ -x "$SP" ] || { echo "FAIL $SP is not built"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockplay-platform.XXXXXX")
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# -- --sandbox: made here, or refused naming every recipe and why ---------------------------
"$SP" --sandbox --batch assets/demos/hello.sp >"$TMP/sb.out" 2>"$TMP/sb.err"
rc=$?
if [ $rc = 0 ]; then
	ok "--sandbox: made here, hello.sp plays"
	[ -s "$TMP/sb.err" ] && bad "--sandbox wrote to stderr: $(cat "$TMP/sb.err")" || ok "--sandbox: nothing on stderr"
	grep -qF '[client] recv(3, 1024) = 14 "Hello, client!"' "$TMP/sb.out" && ok "--sandbox: the transcript is complete" ||
		bad "--sandbox: transcript: $(head -5 "$TMP/sb.out")"
elif [ $rc = 3 ]; then
	ok "--sandbox: no recipe works here, exit 3"
	grep -q '^sockplay: cannot make the sandbox: user namespace: .*; network namespace as root: ' "$TMP/sb.err" &&
		ok "--sandbox: the message names each recipe and why it failed" ||
		bad "--sandbox: message: $(cat "$TMP/sb.err")"
	[ -s "$TMP/sb.out" ] && bad "--sandbox: ran the script anyway" || ok "--sandbox: nothing ran"
	echo "skip --sandbox playing hello.sp: $(head -1 "$TMP/sb.err" | sed 's/^sockplay: //')"
else
	bad "--sandbox: exit $rc: $(cat "$TMP/sb.err")"
fi

# -- the host network: runs side by side never collide on kernel-picked ports ---------------
cat >"$TMP/any.sp" <<'SP'
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: bind(s, 127.0.0.1:0) = 0
server: listen(s) = 0
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, server.addr(s)) = 0
server: a = accept(s) = 4
client: send(c, "hi") = 2
server: recv(a, 10) = 2 "hi"
sleep 300ms
client: close(c) = 0
server: close(a) = 0
server: close(s) = 0
SP
pids=()
for i in 1 2 3 4 5 6; do
	"$SP" --host-net --batch "$TMP/any.sp" >"$TMP/any.$i" 2>&1 &
	pids+=($!)
done
n=0
for i in 1 2 3 4 5 6; do
	wait "${pids[$((i - 1))]}" && n=$((n + 1))
done
[ $n = 6 ] && ok "--host-net: six runs at once on :0 ports all pass" ||
	{ bad "--host-net: $n of six runs at once passed"; cat "$TMP"/any.*; }

# -- the wire view on the host network, without CAP_NET_RAW: off, and said once, with the way on
wire_off() { # [COMMAND...]: how to run sockplay as a user without CAP_NET_RAW
	"$@" --host-net --batch --wire "$TMP/any.sp" >"$TMP/w.out" 2>"$TMP/w.err"
	rc=$?
	[ $rc = 0 ] && ok "--host-net --wire without CAP_NET_RAW: the script still plays" ||
		bad "--host-net --wire: exit $rc: $(cat "$TMP/w.err")"
	[ "$(grep -c 'wire view off' "$TMP/w.err")" = 1 ] &&
		grep -q 'CAP_NET_RAW' "$TMP/w.err" &&
		ok "--host-net --wire: the wire view is off, said once, with what it needs" ||
		bad "--host-net --wire: stderr: $(cat "$TMP/w.err")"
	grep -q '^\[server\] recv(4, 10) = 2 "hi"' "$TMP/w.out" &&
		ok "--host-net --wire: the calls are all there" || bad "--host-net --wire: $(cat "$TMP/w.out")"
}
if [ "$(id -u)" != 0 ]; then
	wire_off "$SP"
elif command -v setpriv >/dev/null 2>&1; then
	# As nobody, from a copy nobody can reach (the tree may be in root's home).
	cp "$SP" "$TMP/sockplay" && chmod 755 "$TMP/sockplay"
	wire_off setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$TMP/sockplay"
else
	echo "skip the wire view without CAP_NET_RAW: root here, and no setpriv to be another user"
fi

# -- the AppArmor profile: written under DESTDIR by `make install`, named for the installed binary
if command -v make >/dev/null 2>&1; then
	make --no-print-directory -s install DESTDIR="$TMP/root" PREFIX=/usr >"$TMP/install.log" 2>&1 || bad "make install DESTDIR: $(cat "$TMP/install.log")"
	prof=$TMP/root/etc/apparmor.d/sockplay
	if [ -f "$prof" ]; then
		ok "make install: the profile is in DESTDIR/etc/apparmor.d/sockplay"
		grep -qE '^profile sockplay /usr/bin/sockplay flags=\(unconfined\) \{' "$prof" &&
			ok "profile: names /usr/bin/sockplay, unconfined otherwise" || bad "profile: header: $(cat "$prof")"
		grep -qE '^[[:space:]]*userns,' "$prof" && ok "profile: allows userns" || bad "profile: no userns rule"
		grep -qE '^[[:space:]]*include if exists <local/sockplay>' "$prof" &&
			ok "profile: includes local/sockplay if it exists" || bad "profile: no local include"
		if ! command -v apparmor_parser >/dev/null 2>&1; then
			echo "skip checking the profile with apparmor_parser: no apparmor_parser (package apparmor)"
		elif [ ! -e /etc/apparmor.d/abi/4.0 ]; then
			echo "skip checking the profile with apparmor_parser: $(apparmor_parser --version 2>&1 | head -1 |
				sed 's/^AppArmor parser version/version/') predates AppArmor 4.0, whose userns rule the profile uses"
		else
			apparmor_parser -QK "$prof" >"$TMP/aa.log" 2>&1 &&
				ok "apparmor_parser -QK accepts the profile" || bad "apparmor_parser: $(cat "$TMP/aa.log")"
		fi
		make --no-print-directory -s uninstall DESTDIR="$TMP/root" PREFIX=/usr >"$TMP/uninstall.log" 2>&1
		[ ! -e "$prof" ] && [ ! -e "$TMP/root/usr/bin/sockplay" ] &&
			ok "make uninstall: the profile and the binary are gone" || bad "make uninstall left: $(find "$TMP/root" -type f)"
	else
		bad "make install: no profile at $prof ($(cat "$TMP/install.log"))"
	fi
else
	echo "skip make install: no make"
fi

[ $fails = 0 ]

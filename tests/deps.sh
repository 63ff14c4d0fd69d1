#!/bin/sh
# Install what building and testing sockplay needs, when it is missing (Debian/Ubuntu).
# `deps.sh deb`: also what `make deb` needs (debhelper, dpkg-dev, lintian).
missing=""
if [ "${1:-}" = deb ]; then
	command -v dh >/dev/null 2>&1 || missing="$missing debhelper"
	command -v dpkg-buildpackage >/dev/null 2>&1 || missing="$missing dpkg-dev"
	command -v lintian >/dev/null 2>&1 || missing="$missing lintian"
fi
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v cc >/dev/null 2>&1 || missing="$missing gcc libc6-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
pkg-config --exists ncursesw 2>/dev/null || missing="$missing libncurses-dev"
pkg-config --exists cmocka 2>/dev/null || missing="$missing libcmocka-dev"
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v pgrep >/dev/null 2>&1 || missing="$missing procps" # pgrep, ps: the tests look for actors
command -v strace >/dev/null 2>&1 || missing="$missing strace" # traced programs are compared with it
[ -z "$missing" ] && exit 0

echo "sockplay: installing build and test dependencies:$missing"
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "sockplay: missing$missing, and neither root nor sudo to install them" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "sockplay: missing$missing; install them with your package manager" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || exit 1
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
echo "sockplay: dependencies installed"

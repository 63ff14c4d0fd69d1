# tmux_lib.sh -- what the end-to-end scripts that drive the TUI in tmux share. Sourced after
# TM (the tmux command with its private server) is set; SESSION names the session being driven,
# and failures counts the failed checks.
failures=0
SESSION=

ok() { echo "ok   $*"; }
fail() { # DESCRIPTION: a failed check, with the screen it saw
	echo "FAIL $*"
	failures=$((failures + 1))
	[ -n "$SESSION" ] && $TM capture-pane -p -t "$SESSION" 2>/dev/null | sed 's/^/     | /'
}
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

screen() { $TM capture-pane -p -t "$SESSION"; }

# Wait until the screen shows TEXT (fixed string), up to SECONDS (default 5).
wait_for() {
	local text=$1 n=$(((${2:-5}) * 20))
	while [ $n -gt 0 ]; do
		screen 2>/dev/null | grep -qF -- "$text" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# Wait until the screen no longer shows TEXT.
wait_gone() {
	local text=$1 n=$(((${2:-5}) * 20))
	while [ $n -gt 0 ]; do
		screen 2>/dev/null | grep -qF -- "$text" || return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

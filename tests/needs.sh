# needs.sh -- what an end-to-end script needs from this machine, sourced at its top (after SP is
# set). Each needs_* prints "skip: REASON" and exits 77 when the need is not met: tests/run.sh
# counts the script as skipped, with that reason, instead of passed or failed. A part of a
# script that cannot run prints "skip WHAT: REASON" and the script goes on.

needs_tmux() {
	command -v tmux >/dev/null 2>&1 || { echo "skip: no tmux (package tmux)"; exit 77; }
}

# The sandbox: a private network namespace, by any recipe. Only the sandbox's own refusal (exit 3)
# skips; anything else goes on, so that a broken build still fails the script.
needs_sandbox() {
	local probe err rc
	probe=$(mktemp "${TMPDIR:-/tmp}/sockplay-needs.XXXXXX") || exit 2
	printf 'server: s = socket(AF_INET, SOCK_STREAM) = 3\n' >"$probe"
	err=$("$SP" --sandbox --batch "$probe" 2>&1 >/dev/null)
	rc=$?
	rm -f "$probe"
	if [ $rc = 3 ]; then
		echo "skip: no sandbox here: $(printf '%s\n' "$err" | head -1 | sed 's/^sockplay: //')"
		exit 77
	fi
}

# The Chinese catalogue, built from assets/po by msgfmt.
needs_catalogue() {
	[ -f build/locale/zh_CN/LC_MESSAGES/sockplay.mo ] ||
		{ echo "skip: no catalogue in build/locale (msgfmt missing? package gettext)"; exit 77; }
}

# readme_lib.sh -- the README's examples, for the tests: each code block after a line
# "<!-- example: NAME -->" is a script that passes in --batch (tests/e2e_batch.sh runs them all).
# shellcheck shell=bash

# readme_example NAME: that example's script on stdout (nothing when there is none).
readme_example() {
	awk -v m="<!-- example: $1 -->" '$0 == m { f = 1; next } f && /^```/ { if (++n == 2) exit; next } f' README.md
}

# readme_examples: the names of every example, one a line.
readme_examples() {
	sed -n 's/^<!-- example: \(.*\) -->$/\1/p' README.md
}

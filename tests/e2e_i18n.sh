#!/bin/bash
# e2e_i18n.sh -- English and Simplified Chinese end to end: --lang, the locale, transcripts
# that graders read the same in both, and the TUI in tmux, aligned in cells.
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
SP=${SOCKPLAY:-./sockplay}
case $SP in /*) ;; *) SP=$ROOT/${SP#./} ;; esac
[ -x "$SP" ] || { echo "FAIL $SP is not built"; exit 1; }
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
needs_catalogue
needs_tmux
needs_sandbox # the demos' fixed port 8888: two runs at once would clash on the host network

SOCK="sockplay-i18n-$$"
TM="env LC_ALL=C.UTF-8 tmux -u -L $SOCK -f /dev/null"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockplay-i18n.XXXXXX")
trap '$TM kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

# shellcheck source=tests/tmux_lib.sh
. tests/tmux_lib.sh
has() { grep -qF -- "$2" "$1"; } # FILE TEXT

# sockplay in a clean environment: only what each check sets.
run() { env -i PATH="$PATH" HOME="$TMP" "$@"; }

mask() { sed -E 's/(127\.0\.0\.1|\[::1\]):(3[2-9][0-9]{3}|[4-6][0-9]{4})\b/\1:PORT/g; s/"elapsed_us":[0-9]+/"elapsed_us":N/g'; }

# Cells: the column (0-based) of the last box-drawing border on each line of FILE,
# one "LINE COLUMN" pair a line, lines without a border left out. CJK counts 2.
border_cols() {
	python3 - "$1" <<'EOF'
import sys, unicodedata
for i, line in enumerate(open(sys.argv[1], encoding="utf-8").read().split("\n")):
    col, last = 0, -1
    for ch in line:
        if ch in "│┤┐┘├┌└┬┴┼|+":
            last = col
        col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    if last >= 0:
        print(i, last)
EOF
}

# Every bordered line of the screen in FILE ends at column COLS-1.
aligned() { # FILE COLS
	local bad
	bad=$(border_cols "$1" | awk -v want=$(($2 - 1)) '$2 != want')
	[ -z "$bad" ] && [ "$(border_cols "$1" | wc -l)" -ge 10 ] && return 0
	echo "     misaligned lines (line column): $(echo $bad)"
	sed 's/^/     | /' "$1"
	return 1
}

# The pane divider: on the pane rows (from the top border to the next one), the
# second border sits in one column.
divider_straight() { # FILE
	python3 - "$1" <<'EOF'
import sys, unicodedata
cols = set()
for line in open(sys.argv[1], encoding="utf-8").read().split("\n")[1:]:
    if not line.startswith("│"):
        break
    col, seen = 0, 0
    for ch in line:
        if ch == "│":
            seen += 1
            if seen == 2:
                cols.add(col)
                break
        col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
sys.exit(0 if len(cols) == 1 else 1)
EOF
}

# ---- 1. --help and messages -------------------------------------------------------
run LANG=C.UTF-8 "$SP" --lang zh --help >"$TMP/help.zh"
check "--lang zh --help is Chinese" has "$TMP/help.zh" "用法：sockplay"
check "--lang zh --help lists --lang" has "$TMP/help.zh" "--lang en|zh"
check "--lang zh --help: descriptions line up in cells" python3 - "$TMP/help.zh" <<'EOF'
import sys, unicodedata
cells = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
starts = set()
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.startswith("  ") or line.startswith("   "):
        continue
    k = line.find("  ", 2)
    if k < 0:  # an option 18 columns wide, then one space
        starts.add(21 if line[:21].isascii() and line[20] == " " else -1)
        continue
    while line[k] == " ":
        k += 1
    starts.add(cells(line[:k]))
sys.exit(0 if starts == {21} else 1)
EOF
run LANG=C.UTF-8 LANGUAGE=zh_CN "$SP" --lang en --help >"$TMP/help.en"
check "--lang en overrides LANGUAGE=zh_CN" has "$TMP/help.en" "usage: sockplay [OPTIONS]"
run "$SP" --help >"$TMP/help.c"
check "no locale at all: English" has "$TMP/help.c" "usage: sockplay [OPTIONS]"
run LANG=zh_CN.UTF-8 "$SP" --help >"$TMP/help.env"
check "LANG=zh_CN.UTF-8 (generated or not): Chinese" has "$TMP/help.env" "用法：sockplay"
run LC_ALL=C.UTF-8 LANGUAGE=zh_CN "$SP" --help >"$TMP/help.language"
check "LANGUAGE=zh_CN under C.UTF-8: Chinese" has "$TMP/help.language" "用法：sockplay"
run "$SP" --lang zh --help >"$TMP/help.zhc"
check "--lang zh without any locale: Chinese" has "$TMP/help.zhc" "用法：sockplay"
(cd "$TMP" && run "$SP" --lang zh --help) >"$TMP/help.elsewhere"
check "the tree's catalogue is found from another directory" has "$TMP/help.elsewhere" "用法：sockplay"
run "$SP" --lang fr --help >/dev/null 2>"$TMP/fr.err"
rc=$?
check "--lang fr is a usage error (exit 2)" test $rc = 2
check "--lang fr says which values work" has "$TMP/fr.err" "'fr' is neither en nor zh"
run "$SP" --lang zh --batch 2>"$TMP/nobatch.err"
check "option errors in Chinese" has "$TMP/nobatch.err" "sockplay: --batch 需要一个脚本"

# ---- 2. transcripts: the same lines in every language -------------------------------
for demo in hello connect-refused nonblocking udp; do
	run LANG=C.UTF-8 "$SP" --lang en --batch "assets/demos/$demo.sp" 2>/dev/null | mask >"$TMP/$demo.en"
	run LANG=C.UTF-8 "$SP" --lang zh --batch "assets/demos/$demo.sp" 2>/dev/null | mask >"$TMP/$demo.zh"
	check "$demo: the --batch transcript is identical in zh and en" cmp -s "$TMP/$demo.en" "$TMP/$demo.zh"
	run LANG=C.UTF-8 "$SP" --lang zh --batch --format json "assets/demos/$demo.sp" 2>/dev/null | mask >"$TMP/$demo.zj"
	run LANG=C.UTF-8 "$SP" --lang en --batch --format json "assets/demos/$demo.sp" 2>/dev/null | mask >"$TMP/$demo.ej"
	check "$demo: the JSON transcript is identical in zh and en" cmp -s "$TMP/$demo.ej" "$TMP/$demo.zj"
done
check "strerror stays in the C library's C words" has "$TMP/connect-refused.zh" "= -1 ECONNREFUSED (Connection refused)"
run LANG=C.UTF-8 "$SP" --lang zh --batch --explain assets/demos/connect-refused.sp 2>/dev/null | mask >"$TMP/explain.zh"
grep -v '^    ' "$TMP/explain.zh" >"$TMP/explain.zh.calls"
check "--explain: the call lines are those of the plain transcript" cmp -s "$TMP/explain.zh.calls" "$TMP/connect-refused.en"
check "--explain: the errno's meaning in Chinese" has "$TMP/explain.zh" "    ECONNREFUSED：连接被拒绝"
check "--explain: the likely mistake in Chinese" has "$TMP/explain.zh" "    可能原因：那个地址和端口上没有程序在监听"
check "--explain: Python stays Python, the statement itself" has "$TMP/explain.zh" "    Python: c.connect((\"127.0.0.1\", 8888))"
check "--explain: C stays C" has "$TMP/explain.zh" "    C: connect(c, (struct sockaddr *)&addr, sizeof addr); /* addr: 127.0.0.1:8888 */"
check "--explain: the sandbox's private network in Chinese" has "$TMP/explain.zh" "无法从这里通过 127.0.0.1 访问。要访问它们，请用 --host-net 启动 sockplay。"
# the texts fitted to the case are Chinese too, their facts (port, actor, socket) filled in
run LANG=C.UTF-8 "$SP" --lang zh --batch --explain assets/demos/address-in-use.sp 2>/dev/null >"$TMP/inuse.zh"
check "--explain: the socket holding a port, in Chinese" has "$TMP/inuse.zh" "    可能原因：端口 8888 被 server 的套接字 s (fd 3) 占用，它正在监听这个端口（LISTEN）。"
check "--explain: the TIME_WAIT holding a port, in Chinese" has "$TMP/inuse.zh" "端口 8888 仍被之前一个连接留下的 TIME_WAIT 占用：server 的套接字 conn (fd 4)"
run LANG=C.UTF-8 "$SP" --lang zh --batch --explain assets/demos/reset.sp 2>/dev/null >"$TMP/reset.zh"
check "--explain: SO_LINGER 0 in Chinese" has "$TMP/reset.zh" "    setsockopt() 打开了 SO_LINGER，超时为 0 秒；"
run LANG=C.UTF-8 "$SP" --lang zh --batch --explain assets/demos/udp.sp 2>/dev/null >"$TMP/udp.zh"
check "--explain: UDP's ECONNREFUSED comes from ICMP, in Chinese" has "$TMP/udp.zh" "    ECONNREFUSED：对 UDP 来说，这表示"
check "--explain: no English left in the fitted texts" sh -c "! grep -hE '^    (Likely: |[a-z]+\\(\\) (changed|turned|asked|read))' '$TMP/inuse.zh' '$TMP/reset.zh' '$TMP/udp.zh'"
check "--explain: Chinese sentences join without a space" sh -c "! grep -q '。 ' '$TMP/inuse.zh' '$TMP/reset.zh' '$TMP/udp.zh'"

printf 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: lisen(s, 5)\n' >"$TMP/bad.sp"
(cd "$TMP" && run LANG=C.UTF-8 "$SP" --lang zh --batch bad.sp) >/dev/null 2>"$TMP/bad.zh"
rc=$?
check "a script error is still exit 2 in Chinese" test $rc = 2
check "script errors: Chinese message after FILE:LINE:COL: error:" has "$TMP/bad.zh" "bad.sp:2:9: error: 未知的调用 'lisen'；你是指 'listen' 吗？"

# ---- 3. make install puts the catalogue under LOCALEDIR -----------------------------
make -s --no-print-directory install-locale DESTDIR="$TMP/root" LOCALEDIR=/usr/share/locale >/dev/null
check "make install installs the catalogue" test -f "$TMP/root/usr/share/locale/zh_CN/LC_MESSAGES/sockplay.mo"
make -s --no-print-directory uninstall-locale DESTDIR="$TMP/root" LOCALEDIR=/usr/share/locale >/dev/null
check "make uninstall removes it" test ! -e "$TMP/root/usr/share/locale/zh_CN/LC_MESSAGES/sockplay.mo"

# ---- 4. the catalogue has every message of the sources -----------------------------
if command -v xgettext >/dev/null 2>&1 && command -v msgcmp >/dev/null 2>&1; then
	make -s --no-print-directory pot POT="$TMP/sockplay.pot" >/dev/null 2>&1
	if msgcmp assets/po/zh_CN.po "$TMP/sockplay.pot" >"$TMP/msgcmp.out" 2>&1; then
		ok "zh_CN.po translates every message of the sources"
	else
		fail "zh_CN.po lacks messages (make update-po, then translate):"
		grep 'this message' "$TMP/msgcmp.out" | head -20 | sed 's/^/     /'
	fi
	check "zh_CN.po has no fuzzy or untranslated entry" sh -c \
		"! msgfmt --statistics -o /dev/null assets/po/zh_CN.po 2>&1 | grep -q 'fuzzy\|untranslated'"
else
	echo "skip the catalogue's completeness: no xgettext/msgcmp"
fi

# ---- 5. the TUI in tmux ---------------------------------------------------------------
start() { # NAME COLS ROWS ARGS...
	SESSION=$1
	local cols=$2 rows=$3
	shift 3
	$TM new-session -d -s "$SESSION" -x "$cols" -y "$rows" \
		"env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 $SP $*; exec sleep 600"
}
# The explain area (under its "讲解" border) holds a Chinese sentence.
explain_cjk() {
	screen | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
at = [i for i, l in enumerate(lines) if "讲解" in l and l[:1] in "├┌"]
body = lines[at[0] + 1:] if at else []
sys.exit(0 if any(any("\u4e00" <= c <= "\u9fff" for c in l) for l in body[:-2]) else 1)'
}
wait_explain_cjk() {
	local n=100
	while [ $n -gt 0 ]; do
		explain_cjk && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}
step_until() { # TEXT MAX: press n until TEXT shows, at most MAX times
	local i=0
	while [ $i -lt "$2" ]; do
		wait_for "$1" 1 && return 0
		$TM send-keys -t "$SESSION" n
		i=$((i + 1))
	done
	wait_for "$1" 5
}
steps() { # N: press n N times, letting each step finish
	for _ in $(seq "$1"); do
		$TM send-keys -t "$SESSION" n
		sleep 0.2
	done
}

start zh 100 30 --lang zh assets/demos/hello.sp
check "zh: the explain area is titled in Chinese" wait_for "讲解" 10
check "zh: the welcome text is Chinese" wait_for "已载入脚本"
check "zh: the key bar is Chinese (call names kept)" sh -c "$TM capture-pane -p -t zh | tail -1 | grep -q 's socket b bind.*? 帮助 q 退出'"
screen >"$TMP/zh.0"
check "zh: every border in column 100 at the start" aligned "$TMP/zh.0" 100
steps 12
check "zh: twelve steps ran" wait_for "第 12/22 步" 10
check "zh: the step's explanation is Chinese" wait_explain_cjk
screen >"$TMP/zh.1"
check "zh: the server listens and the client is connected" sh -c "grep -q 'LISTEN' '$TMP/zh.1' && grep -q 'ESTABLISHED' '$TMP/zh.1'"
check "zh: the call log keeps the transcript's words" has "$TMP/zh.1" "connect(3, 127.0.0.1:8888) = 0"
check "zh: every border in column 100 after 12 steps" aligned "$TMP/zh.1" 100
check "zh: the pane divider is straight" divider_straight "$TMP/zh.1"
$TM send-keys -t zh '?'
wait_for "sockplay 按键" 3
screen >"$TMP/zh.help"
check "zh: the help screen is Chinese" has "$TMP/zh.help" "让选中的套接字开始监听：listen(s, 5)"
check "zh: the help screen is aligned" aligned "$TMP/zh.help" 100
$TM kill-session -t zh

start zhsmall 80 24 --lang zh assets/demos/connect-refused.sp
wait_for "讲解" 10
check "zh 80x24: the refused connect() is on the screen" step_until "= -1 ECONNREFUSED (Connection refused)" 12
check "zh 80x24: and explained in Chinese" wait_explain_cjk
screen >"$TMP/zh.small"
check "zh 80x24: every border in column 80" aligned "$TMP/zh.small" 80
$TM kill-session -t zhsmall

start en 100 30 --lang en assets/demos/hello.sp
check "en: the explain area is titled in English" wait_for "explain" 10
check "en: the key bar is English" sh -c "$TM capture-pane -p -t en | tail -1 | grep -q '? help q quit'"
steps 12
check "en: twelve steps ran" wait_for "step 12/22" 10
screen >"$TMP/en.1"
check "en: no Chinese on the screen" sh -c "! grep -qF -e 讲解 -e 帮助 -e 套接字 '$TMP/en.1'"
check "en: every border in column 100" aligned "$TMP/en.1" 100
$TM kill-session -t en

[ $failures = 0 ]

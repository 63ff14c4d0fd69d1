/* tui_draw.h -- the TUI's parts that need no session: keymap, texts, line editor, and drawing a snapshot. */
#ifndef SOCKPLAY_TUI_DRAW_H
#define SOCKPLAY_TUI_DRAW_H

#include <curses.h>
#include <stddef.h>
#include <wchar.h>

#include "sockplay/explain.h"
#include "sockplay/script.h"
#include "sockplay/snapshot.h"
#include "sockplay/wire.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_LINES 24
#define TUI_MAX_PANES SP_ACTORS_MAX
#define TUI_PANE_MIN_W 38 /* a pane narrower than this is not shown beside the others */
#define TUI_EXPLAIN_MAX 100 /* the explain area wraps at this many cells at most: lines stay readable */
#define TUI_LADDER_MAX 150 /* the ladder's width, lifeline to lifeline, at most */
#define TUI_LADDER_END_MAX 40 /* every connection (W): cells for each end's name, at most */

/* ---- keymap: one table feeds the key bar, the help screen and the README ---- */

/* X(action, key-bar word or NULL, help text) */
#define TUI_ACTIONS(X)                                                                           \
	X(TUI_A_SOCKET, "socket", "create a socket on the focused side: s = socket(AF_INET, SOCK_STREAM)") \
	X(TUI_A_BIND, "bind", "bind the selected socket to an address: bind(s, 127.0.0.1:8888)")      \
	X(TUI_A_LISTEN, "listen", "make the selected socket a listener: listen(s, 5)")                \
	X(TUI_A_CONNECT, "connect", "connect the selected socket: connect(c, 127.0.0.1:8888)")        \
	X(TUI_A_ACCEPT, "accept", "take a connection from the listener: conn = accept(s)")            \
	X(TUI_A_SEND, "send", "send bytes: send(conn, \"Hello, client!\")")                           \
	X(TUI_A_RECV, "recv", "receive up to 1024 bytes: recv(c, 1024)")                              \
	X(TUI_A_CLOSE, "close", "close the selected socket: close(s)")                                \
	X(TUI_A_SHUTDOWN, NULL, "half-close: shutdown(s, SHUT_WR) sends FIN, reading still works")    \
	X(TUI_A_SETSOCKOPT, NULL, "allow quick re-binding: setsockopt(s, SO_REUSEADDR, 1)")          \
	X(TUI_A_PROMPT, NULL, "type any statement of the script language")                            \
	X(TUI_A_NEXT_PANE, "side", "focus the next side (server, client, ...)")                       \
	X(TUI_A_PREV_PANE, NULL, "focus the previous side")                                           \
	X(TUI_A_SEL_UP, NULL, "select the socket above")                                              \
	X(TUI_A_SEL_DOWN, NULL, "select the socket below")                                            \
	X(TUI_A_STEP, "step", "run the next step of the script")                                      \
	X(TUI_A_PLAY, "play", "play or pause the script")                                             \
	X(TUI_A_FASTER, NULL, "play faster")                                                          \
	X(TUI_A_SLOWER, NULL, "play slower")                                                          \
	X(TUI_A_INTERRUPT, NULL, "interrupt the focused side's blocked call (it returns -1 EINTR)")    \
	X(TUI_A_DIAGRAM, "states", "the TCP state diagram: each socket marked where it is, the last step's " \
	  "transition lit (d, Esc or q closes it)")                                                   \
	X(TUI_A_EXPLAIN, NULL, "the whole explanation of the last call on one screen, Python and C lines " \
	  "and every byte it received included; Up/Down scroll it (e, Esc or q closes it)")         \
	X(TUI_A_WIRE_ALL, NULL, "wire pane: every connection, or back to the selected socket's one")   \
	X(TUI_A_WIRE_OLDER, NULL, "wire pane: scroll back to older segments")                         \
	X(TUI_A_WIRE_NEWER, NULL, "wire pane: scroll to newer segments (at the bottom it follows new ones)") \
	X(TUI_A_REDRAW, NULL, "redraw the screen")                                                    \
	X(TUI_A_HELP, "help", "show the help screen (this list)")                                                       \
	X(TUI_A_QUIT, "quit", "quit (asks first when a call is blocked)")

enum tui_action {
	TUI_A_NONE = 0,
#define TUI_X(a, bar, help) a,
	TUI_ACTIONS(TUI_X)
#undef TUI_X
	TUI_A_COUNT
};

struct tui_key {
	enum tui_action act;
	int keys[4];          /* curses key codes, 0-terminated */
	const char *label;    /* how the keys are written: "n Space" */
	int bar_rank;         /* 1 kept longest in the key bar ... 3 dropped first; 0 never there */
	int word_rank;        /* short of room, words go before keys: 3 first ... 1 last */
};

/* The keymap in help order; *N gets its length. */
const struct tui_key *tui_keymap(size_t *n);
/* The action bound to curses key KEY, TUI_A_NONE when none. */
enum tui_action tui_key_action(int key);
/* Key-bar word and help text of an action. */
const char *tui_action_bar(enum tui_action act);
const char *tui_action_help(enum tui_action act);

/* ---- every sentence the UI shows, in one place (for translation) ---- */
#define TUI_TEXTS(X)                                                                             \
	X(TX_TOO_SMALL, "terminal too small (need %dx%d, have %dx%d)")                               \
	X(TX_TOO_SMALL2, "enlarge the window, or press q to quit")                                   \
	X(TX_PLAYGROUND, "playground")                                                               \
	X(TX_STEP, "step %d/%d")                                                                     \
	X(TX_PLAYING, "playing, %s a step")                                                          \
	X(TX_NOT_STARTED, "no process yet")                                                          \
	X(TX_PID, "pid %d")                                                                          \
	X(TX_NO_SOCKETS, "no sockets: s makes one")                                                  \
	X(TX_COL_FD, "fd")                                                                           \
	X(TX_COL_NAME, "name")                                                                       \
	X(TX_COL_TYPE, "type")                                                                       \
	X(TX_COL_LOCAL, "local")                                                                     \
	X(TX_COL_PEER, "peer")                                                                       \
	X(TX_COL_ADDR, "local %s peer")                                                              \
	X(TX_COL_STATE, "state")                                                                     \
	X(TX_COL_QUEUE, "rq/sq")                                                                     \
	X(TX_CALLS, "calls")                                                                         \
	X(TX_HELP_SCROLL, "Up/Down scroll, any other key closes")                                    \
	X(TX_BLOCKED, "%s blocked %s")                                                               \
	X(TX_MORE_PANES, "+%d more: Tab")                                                            \
	X(TX_SCRIPT, "script")                                                                       \
	X(TX_SCRIPT_KEYS, "n/Space next step  p play  +/- speed")                                    \
	X(TX_SCRIPT_END, "(end of script)")                                                          \
	X(TX_EXPLAIN, "explain")                                                                     \
	X(TX_WELCOME,                                                                                \
	  "Welcome! Each side is a real process making real socket calls. Press s to create "       \
	  "the server's socket (Enter runs the prefilled call), then b bind and l listen; Tab "      \
	  "goes to the client. ? lists every key.")                                                  \
	X(TX_WELCOME_SCRIPT,                                                                         \
	  "A script is loaded: Space or n runs its next step, p plays it (+/- set the speed). The "  \
	  "keys below make calls of your own at any time; ? lists every key.")                       \
	X(TX_HINT_SOCKET, "Next: s creates a socket on this side.")                                  \
	X(TX_HINT_SERVER_NEW, "Next: b binds it to an address, then l listens (or Tab: c connects).") \
	X(TX_HINT_CLIENT_NEW, "Next: c connects it to the server (the server must listen first).")  \
	X(TX_HINT_BOUND, "Next: l makes it listen (then clients can connect).")                               \
	X(TX_HINT_LISTEN, "Next: a accepts (it blocks until a client connects); Tab to the client.") \
	X(TX_HINT_PENDING, "A client waits in the accept queue: a accepts it.")                      \
	X(TX_HINT_ESTAB, "Next: w sends, r receives, x closes.")                                     \
	X(TX_HINT_CLOSE_WAIT, "The peer closed: r returns 0 (end of stream); x closes this end.")    \
	X(TX_HINT_UDP, "UDP: no listen, no accept. b binds it; w sends a datagram (sendto), r receives one.") \
	X(TX_HINT_BLOCKED, "Ctrl-C or i interrupts the call (it returns -1 EINTR).") \
	X(TX_PROG_HINT_BLOCKED, "Ctrl-C or i sends the program SIGINT, as Ctrl-C in a terminal would: it ends unless it handles the signal.") \
	X(TX_PROMPT_HINT, "Enter runs  Esc cancels  Up/Down history  Ctrl-A/E/U edit")               \
	X(TX_HELP_TITLE, "sockplay keys")                                                            \
	X(TX_HELP_MOUSE, "Mouse: a click focuses a side or selects a socket.")                       \
	X(TX_KEY_ESC, "cancel a prompt")                                                             \
	X(TX_KEY_MOUSE, "a click focuses a side or selects a socket")                                \
	X(TX_HELP_CALLS, "A call key opens a prompt with the whole call filled in: Enter runs it, or edit it first.") \
	X(TX_HELP_PROMPT, "At a prompt: Enter runs, Esc cancels, Up/Down recall, Left/Right/Ctrl-A/E/U edit.") \
	X(TX_HELP_CLOSE, "Any key closes this help.")                                                \
	X(TX_CONFIRM_QUIT, "%s is blocked in %s. Quit anyway? (y/n)")                                \
	X(TX_BUSY, "%s is blocked in %s: wait for it, or Ctrl-C / i interrupts it")                  \
	X(TX_EXPLAIN_MORE, "e: all of it")                                                          \
	X(TX_EXPLAIN_CLOSE, "e, Esc or q closes")                                                   \
	X(TX_EXPLAIN_SCROLL, "Up/Down PgUp/PgDn scroll  e, Esc or q closes")                        \
	X(TX_DATA_ALL, "All %zu bytes received:")                                                   \
	X(TX_DATA_PART, "The first %zu of the %lld bytes received (a program's read: the rest was not kept):") \
	X(TX_NEW_SIDE, "'%s' would be a new side (a new process); did you mean '%s'? Enter again starts it") \
	X(TX_NEEDS_SOCKET, "%s needs a socket: press s to create one on this side first")            \
	X(TX_NO_SCRIPT, "no script loaded: start sockplay with a .sp file")                          \
	X(TX_END, "end of the script; the keys still work")                                          \
	X(TX_WAITING, "waiting for %s (%s) before the next step")                                    \
	X(TX_PAUSED, "pause: press Space or n to go on")                                             \
	X(TX_EXPECT_OK, "expect %s: ok")                                                             \
	X(TX_AT_LINE, "line %d: %s")                                                                 \
	X(TX_NOTHING_BLOCKED, "%s is not blocked: nothing to interrupt (q quits)")                   \
	X(TX_PROG_TAG, "program")                                                                    \
	X(TX_PROG_NO_SOCKETS, "no sockets yet")                                                      \
	X(TX_WELCOME_PROGRAM,                                                                        \
	  "Your program is on stage: it waits before each socket call. With its pane focused, n or " \
	  "Space lets it make the call shown as \"next:\", p lets it run freely, i interrupts a "     \
	  "blocked call. Tab goes to the other side, whose keys make calls of your own (s socket, "  \
	  "c connect, r recv). ? lists every key.")                                                  \
	X(TX_PROG_NEXT, "next: %s")                                                                  \
	X(TX_PROG_HINT_HELD, "n or Space lets the program make this call; p lets it run freely.")   \
	X(TX_PROG_HINT_FREE, "It runs freely: p stops it again before its next socket call.")       \
	X(TX_PROG_HINT_START, "The program is starting: its first socket call will show here.")     \
	X(TX_PROG_KEYS, "%s is a program: n steps it, p runs it, i interrupts; use the other side's keys") \
	X(TX_PROG_NOT_HELD, "%s has no call waiting: it is running, blocked or gone")              \
	X(TX_PROG_FREE, "%s runs freely (p stops it again)")                                         \
	X(TX_PROG_AUTO, "%s steps on its own at the --delay pace (p stops)")                         \
	X(TX_PROG_HELD, "%s stops before each socket call again (n steps)")                        \
	X(TX_PROG_GONE, "%s has ended: %s")                                                          \
	X(TX_SPEED, "auto-play: one step every %s")                                                  \
	X(TX_WAIT_ACCEPT, "accept() waits until a client connects: Tab, then s and c on the client") \
	X(TX_WAIT_CONNECT, "connect() waits for the server's answer")                                \
	X(TX_WAIT_RECV, "recv() waits until the peer sends something (or closes)")                   \
	X(TX_WAIT_SEND, "send() waits for room in the send buffer: the peer must read")             \
	X(TX_WAIT_POLL, "poll() waits until one of its sockets is ready, or its timeout passes")    \
	X(TX_WAIT_SELECT, "select() waits until a socket of its sets is ready, or its timeout passes") \
	X(TX_NO_TTY, "the interactive UI needs a terminal (for a script without one: --batch)")     \
	X(TX_NO_CURSES, "cannot start the terminal UI (is TERM set to a known terminal?)")          \
	X(TX_INTERRUPTED_REC, "# interrupted by the user: %s %s")                                  \
	X(TX_WIRE, "wire")                                                                           \
	X(TX_WIRE_ALL, "wire: every connection")                                                     \
	X(TX_WIRE_KEYS, "[ ] scroll  W all")                                                         \
	X(TX_WIRE_KEYS_ALL, "[ ] scroll  W selected")                                                \
	X(TX_WIRE_OLDER, "%lu older")                                                                \
	X(TX_WIRE_NEWER, "%lu newer")                                                                \
	X(TX_WIRE_LOST, "%llu not captured")                                                         \
	X(TX_WIRE_STEP, "step")                                                                      \
	X(TX_WIRE_KERNEL, "kernel")                                                                  \
	X(TX_WIRE_EMPTY, "Nothing on the wire yet: segments appear here as calls send them.")        \
	X(TX_WIRE_NO_SOCKET, "No socket selected: the ladder follows the selected socket's connection (W shows every one).") \
	X(TX_WIRE_NO_CONN, "%s %s has no connection on the wire yet (W shows every connection).")   \
	X(TX_WIRE_UNIX, "%s %s is an AF_UNIX socket: its data never goes on the network, so there is nothing to capture.") \
	X(TX_WIRE_QUIET, "Nothing of this connection on the wire yet.")                             \
	X(TX_DG_TITLE, "TCP states")                                                                 \
	X(TX_DG_KEYS, "d, Esc or q closes")                                                          \
	X(TX_DG_LAST, "last step:")                                                                  \
	X(TX_DG_NONE, "no socket changed state")                                                     \
	X(TX_DG_RESET, "(reset: no FIN exchange)")                                                   \
	X(TX_DG_LISTEN, "listen()")                                                                  \
	X(TX_DG_CONNECT, "connect() / send SYN")                                                     \
	X(TX_DG_CLOSE, "close()")                                                                    \
	X(TX_DG_CLOSE_RST, "close() / recv RST")                                                     \
	X(TX_DG_RECV_SYN, "recv SYN / send SYN,ACK")                                                 \
	X(TX_DG_RECV_SYNACK, "recv SYN,ACK / send ACK")                                              \
	X(TX_DG_RECV_ACK, "recv ACK")                                                                \
	X(TX_DG_CLOSE_FIN, "close() / send FIN")                                                     \
	X(TX_DG_RECV_FIN, "recv FIN / send ACK")                                                     \
	X(TX_DG_TIMEOUT, "2MSL timeout")                                                             \
	X(TX_DG_RECV_FINACK, "recv FIN,ACK / send ACK")                                              \
	X(TX_DG_RST, "send/recv RST: any synchronized state -> CLOSED")                              \
	X(TX_STATS, "%lu frames drawn (at most %lld ms apart), %llu segments captured, %llu not captured")

enum tui_text {
#define TUI_X(id, s) id,
	TUI_TEXTS(TUI_X)
#undef TUI_X
	TX_COUNT
};

const char *tui_text(enum tui_text id);

/* ---- the prompt's line editor (no curses) ---- */

#define TUI_LINE_MAX 512
#define TUI_HISTORY 64

struct tui_line {
	wchar_t buf[TUI_LINE_MAX];
	size_t len, cur;                /* characters, cursor position */
	char *history[TUI_HISTORY];     /* oldest first, UTF-8 */
	size_t nhist;
	size_t hpos;                    /* == nhist when not browsing */
};

/* Replace the text (UTF-8), cursor at the end. */
void tui_line_set(struct tui_line *l, const char *text);
/* Apply an editing key (curses code); 1 when it was one. */
int tui_line_key(struct tui_line *l, int key, int is_char);
/* The text as UTF-8 into BUF. */
void tui_line_get(const struct tui_line *l, char *buf, size_t size);
void tui_line_remember(struct tui_line *l, const char *text);
void tui_line_free(struct tui_line *l);

/* ---- drawing ---- */

/* ---- the wire pane and the state diagram: built by the loop, drawn from here ---- */

#define TUI_WIRE_ROWS 96 /* arrows handed to the drawing at most: more than a screen shows */
#define TUI_TRANS_MAX 8

/* One arrow of the ladder. */
struct tui_wire_row {
	const struct wire_seg *seg;  /* valid while the frame is drawn */
	int to_right;                /* 1: from the left end to the right one */
	const char *left, *right;    /* every connection (W): who is at each end, "server :8888" */
};

struct tui_wire {
	const char *off;             /* the capture is off: why, shown instead of the ladder; or NULL */
	const char *none;            /* no connection to show: why; or NULL */
	int all;                     /* every connection, else the selected socket's */
	const char *left, *right;    /* one connection: its ends, "server conn 127.0.0.1:8888" */
	const struct tui_wire_row *rows; /* oldest first */
	int nrows;
	unsigned long older, newer;  /* matching segments before rows[0] and after the last row */
	uint32_t last_step;          /* segments of this step stand out */
#define TUI_WIRE_BETWEEN 0x80000000u /* in a segment's step: seen between steps (after the one in the low bits) */
#define TUI_WIRE_TYPED 0x40000000u   /* in a segment's step: a statement typed beside a script (not one of its steps) */
	unsigned long long lost;     /* segments the capture missed */
};

/* A socket whose TCP state the last step changed. */
struct tui_trans {
	char who[2 * SP_NAME_MAX + 2]; /* "client c" */
	int from, to;                /* kernel TCP states; TCP_CLOSE (7) also for "not there" */
	int main;                    /* the socket the step's call was about */
	int reset;                   /* an RST ended it: no path through the diagram */
};

/* The call the explain area is about: the newest that returned, as its SP_EV_CALL told it. */
struct tui_last {
	int call;                    /* enum sp_call, 0 when none */
	int err;                     /* its errno, 0 if it succeeded */
	long long ret;
	char actor[SP_NAME_MAX];
	char text[SNAP_LINE_MAX];    /* "connect(3, 127.0.0.1:8888) = 0" */
	int has_ex;                  /* EX is its explanation (else the general one of CALL is shown) */
	struct explain ex;
};

/* What the drawing needs besides the snapshot: the UI's own state. */
struct tui_view {
	const char *file;            /* the script's name for the header, NULL: playground */
	const char *title;           /* title "..." of the script, or NULL */
	char said_title[128];        /* the last title "..." that ran (its event), shown when TITLE is NULL */
	char say[512];               /* the last say "..." that ran (its event) */
	const char *net_label;       /* "sandbox netns", "host network" */
	const char *lang;            /* "en" */
	int step, nsteps;            /* steps run / in the script (0 without a script) */
	int playing, delay_ms;
	const char *panes[TUI_MAX_PANES]; /* actor names in pane order: server, client, ... */
	int npanes;
	int focus;                   /* index into panes */
	int sel[TUI_MAX_PANES];      /* each pane's selected socket: index into its snapshot sockets */
	const struct sp_script *script; /* for the strip, or NULL */
	int next_line;               /* source line of the next step; 0 at the end */
	const char *message;         /* a status line for the explain area, or NULL */
	int message_err;             /* shown as an error */
	const char *net_note;        /* why there is no sandbox, or "" */
	int prompt;                  /* the prompt is open (uses PROMPT_LINE) */
	const struct tui_line *line;
	const char *prompt_error;    /* parser message under the prompt, or NULL */
	int prompt_error_col;        /* its column in the prompt text, in characters */
	const char *confirm;         /* a y/n question on the prompt line, or NULL */
	int help;                    /* the help screen */
	int help_top;                /* its first row shown (it scrolls when taller than the screen) */
	int explain_full;            /* e: the explanation on the whole screen */
	int explain_top;             /* its first row shown (it scrolls when taller than the screen) */
	const unsigned char *data;   /* the last call's received bytes, all of them (e shows them), or NULL */
	size_t data_len;
	long long data_ret;          /* what that call returned: more than DATA_LEN when only part was kept */
	int utf8;                    /* box drawing and arrows, else ASCII */
	int color;                   /* colours (else bold/reverse/dim) */
	struct tui_wire wire;        /* the wire pane */
	const char *join;            /* the last call with its segments and states (explain_join), or NULL */
	const char *join_wait;       /* the same for the call the message says is blocked, or NULL */
	struct tui_last last;        /* the call the explain area is about */
	int last_socktype;           /* without LAST.EX: SOCK_DGRAM when the call was on UDP (its own texts), 0 unknown */
	int diagram;                 /* the state diagram covers the screen */
	/* which step the snapshot's say and last call belong to (steps counted from 1; 0 not known):
	   a say is drawn as news only at its own step, dimmed after later steps, and not at all once a
	   later call has run (it would sit above a step it does not describe) */
	unsigned say_at, call_at, now_at;
	struct tui_trans trans[TUI_TRANS_MAX]; /* what the last step changed, the call's socket first */
	int ntrans;
};

/* Where things were drawn, for mouse clicks. */
struct tui_hits {
	int npanes;
	struct {
		int pane;            /* index into view panes */
		int x0, x1;          /* columns, x1 exclusive */
		int y0, y1;          /* rows, y1 exclusive */
		int nsock;
		int sock_y[32];      /* first row of each visible socket */
		int sock_idx[32];    /* its index in the snapshot */
		int sock_h;          /* rows per socket */
	} pane[TUI_MAX_PANES];
	int prompt_y, prompt_x;      /* where the cursor goes when the prompt is open */
	int wire_rows;               /* arrows the wire pane shows at once (for paging) */
	int help_rows, help_page;    /* rows of the help text, rows shown at once */
	int explain_rows, explain_page; /* the same for e's whole explanation */
};

/* Colour pairs (call once after start_color when colours are on). */
void tui_draw_init_colors(void);
/* Draw the whole frame onto W. HITS may be NULL. No syscalls, only curses. */
void tui_draw(WINDOW *w, const struct snapshot *sn, const struct tui_view *v, struct tui_hits *hits);
/* Which visible pane and socket a click at Y,X hit: returns the pane index or -1; *SOCK the socket or -1. */
int tui_hit(const struct tui_hits *h, int y, int x, int *sock);
/* Cells S takes on screen (UTF-8, CJK counts 2). */
int tui_width(const char *s);
/* The text of a TCP state for a socket row ("LISTEN", "UNCONN" for a UDP socket, "-"). */
const char *tui_state_text(const struct snap_sock *k);

#endif

# sockplay -- a terminal socket playground.  `make`, `make run`, `make test`.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
DESTDIR ?=
VERSION = 0.1.0

CC ?= cc
PKG_CONFIG ?= pkg-config
WERROR ?= $(if $(CI),-Werror,)
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Wno-format-truncation $(WERROR) -D_GNU_SOURCE -Iinclude \
	-DSP_VERSION='"$(VERSION)"' -DSP_LOCALEDIR='"$(LOCALEDIR)"'
CURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
LDLIBS += $(CURSES_LIBS)

SRC := $(wildcard src/*.c)
OBJ := $(SRC:src/%.c=build/%.o)
LIBOBJ := $(filter-out build/main.o,$(OBJ))
TESTS := $(patsubst tests/%.c,build/tests/%,$(wildcard tests/test_*.c))
BENCH := $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))

all: sockplay

sockplay: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

build/%.o: src/%.c $(wildcard include/sockplay/*.h) | build
	$(CC) $(CFLAGS) $(CURSES_CFLAGS) -MMD -c -o $@ $<

build/tests/%: tests/%.c $(LIBOBJ) $(wildcard tests/*.h) | build
	$(CC) $(CFLAGS) $(CURSES_CFLAGS) -Wno-unused-parameter -o $@ $< $(LIBOBJ) $(CMOCKA_LIBS) $(LDLIBS)

build/bench/%: bench/%.c | build
	$(CC) $(CFLAGS) -o $@ $<

build:
	@mkdir -p build/tests build/bench

-include $(wildcard build/*.d)

# The two commands of the README: `make run` plays, `make test` tests.
run: deps sockplay
	./sockplay assets/demos/hello.sp

deps:
	@sh tests/deps.sh

test: deps
	@$(MAKE) --no-print-directory sockplay tests-build
	@sh tests/run.sh

tests-build: $(TESTS)

bench: sockplay $(BENCH)
	@sh bench/run.sh

demos: sockplay
	@for d in assets/demos/*.sp; do \
	  ./sockplay --batch "$$d" >/dev/null 2>build/demo.err && echo "ok   $$d" || { echo "FAIL $$d"; cat build/demo.err; exit 1; }; \
	done

install: sockplay
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 sockplay $(DESTDIR)$(BINDIR)/sockplay

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockplay

clean:
	rm -rf build sockplay

.PHONY: all run deps test tests-build bench demos install uninstall clean

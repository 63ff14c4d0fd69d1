# sockplay -- a terminal socket playground.  `make`, `make run`, `make test` (`make check`),
# `make install`, `make deb`.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
DATADIR ?= $(PREFIX)/share/sockplay
APPARMORDIR ?= /etc/apparmor.d
DESTDIR ?=
VERSION = 0.1.0

CC ?= cc
PKG_CONFIG ?= pkg-config
WERROR ?= $(if $(CI),-Werror,)
CFLAGS ?= -O2 -g
# What the build needs, kept whatever CFLAGS and CPPFLAGS the command line gives (`make CFLAGS=-O0`).
override CPPFLAGS += -D_GNU_SOURCE -Iinclude -DSP_VERSION='"$(VERSION)"' -DSP_LOCALEDIR='"$(LOCALEDIR)"'
override CFLAGS += -std=c11 -Wall -Wextra -Wno-format-truncation $(WERROR)
# Each object and test depends on the headers it includes (build/*.d), no more.
DEPFLAGS = -MMD -MP
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

build/%.o: src/%.c | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CURSES_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/tests/%: tests/%.c $(LIBOBJ) | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CURSES_CFLAGS) $(DEPFLAGS) -Wno-unused-parameter $(LDFLAGS) -o $@ $< $(LIBOBJ) $(CMOCKA_LIBS) $(LDLIBS)

build/bench/tui_play: bench/tui_play.c $(LIBOBJ) | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CURSES_CFLAGS) $(DEPFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS)

# tui_scale times the real TUI call by call: the calls it wraps (see bench/tui_scale.c).
TUI_SCALE_WRAP = -Wl,--wrap=session_exec,--wrap=session_refresh,--wrap=session_snapshot,--wrap=session_free,--wrap=wire_drain,--wrap=wire_settle,--wrap=tui_draw,--wrap=doupdate
build/bench/tui_scale: bench/tui_scale.c $(LIBOBJ) | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CURSES_CFLAGS) $(DEPFLAGS) $(LDFLAGS) $(TUI_SCALE_WRAP) -o $@ $< $(LIBOBJ) $(LDLIBS)

# trace_run drives the tracer of src/trace.c: it needs the objects.
build/bench/trace_run: bench/trace_run.c $(LIBOBJ) | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS)

build/bench/%: bench/%.c | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -o $@ $<

build:
	@mkdir -p build/tests build/bench

-include $(wildcard build/*.d build/tests/*.d build/bench/*.d)

# The runtimes that --export writes are real files, src/export_rt/runtime.c and
# runtime.py, checked here (the C compiled warning-free with and without the
# parts for `expect`, the Python byte-compiled) and embedded in export.o as
# arrays of their chunks by chunks.sh, with texts.txt (the program's own
# parts, as formats that export.c fills).
RT := src/export_rt
RT_CHECKS := build/export_rt/check-0.o build/export_rt/check-1.o build/export_rt/runtime.pyc
PYTHON ?= python3

build/export_rt/check-%.o: $(RT)/runtime.c | build
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -DRT_EXPECT=$* -c -o $@ $<

build/export_rt/runtime.pyc: $(RT)/runtime.py | build
	@mkdir -p $(@D)
	@if command -v $(PYTHON) >/dev/null 2>&1; then \
		echo "$(PYTHON): py_compile $< -> $@"; \
		$(PYTHON) -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' $< $@; \
	else \
		echo "sockplay: no $(PYTHON): $< not checked"; touch $@; \
	fi

$(RT)/runtime.h: $(RT)/chunks.sh $(RT)/runtime.c $(RT)/runtime.py $(RT)/texts.txt $(RT_CHECKS)
	sh $(RT)/chunks.sh $(RT)/runtime.c $(RT)/runtime.py $(RT)/texts.txt >$@.tmp && mv $@.tmp $@

build/export.o build-asan/export.o build-fuzz/export.o: $(RT)/runtime.h

# The two commands of the README: `make run` plays, `make test` tests.
run: deps sockplay locale
	./sockplay assets/demos/hello.sp

deps:
	@sh tests/deps.sh

test: deps
	@$(MAKE) --no-print-directory sockplay tests-build
	@sh tests/run.sh
	@$(if $(CI),$(MAKE) --no-print-directory asan ASAN_SKIP=e2e_export.sh,true)

# The GNU name of the same thing.
check: test

tests-build: $(TESTS)

bench: sockplay $(BENCH) build/bench/tui_play build/bench/tui_scale
	@sh bench/run.sh

demos: sockplay
	@for d in assets/demos/*.sp; do \
	  ./sockplay --batch "$$d" >/dev/null 2>build/demo.err && echo "ok   $$d" || { echo "FAIL $$d"; cat build/demo.err; exit 1; }; \
	done

install: sockplay
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 sockplay $(DESTDIR)$(BINDIR)/sockplay
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 assets/sockplay.1 $(DESTDIR)$(MANDIR)/man1/sockplay.1
	install -d $(DESTDIR)$(DATADIR)/demos
	install -m 644 assets/demos/*.sp $(DESTDIR)$(DATADIR)/demos/
	@if [ -d assets/programs ]; then \
		echo "install assets/programs $(DESTDIR)$(DATADIR)/programs"; \
		rm -rf "$(DESTDIR)$(DATADIR)/programs" && cp -R assets/programs "$(DESTDIR)$(DATADIR)/programs" && \
		chmod -R u=rwX,go=rX "$(DESTDIR)$(DATADIR)/programs" || exit 1; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockplay $(DESTDIR)$(MANDIR)/man1/sockplay.1
	rm -rf $(DESTDIR)$(DATADIR)

# -- AppArmor -------------------------------------------------------------------
# Ubuntu 23.10 and later (AppArmor 4, kernel.apparmor_restrict_unprivileged_userns=1)
# give user namespaces only to programs whose profile allows them: the profile
# lets the installed binary make its sandbox, and confines nothing else. Always
# written under DESTDIR (for packages); on a live system where /etc/apparmor.d
# exists and speaks AppArmor 4 (abi/4.0: older parsers do not know the userns
# rule, and older AppArmor restricts nothing), then loaded when apparmor_parser
# is there.
install: install-apparmor
uninstall: uninstall-apparmor
AA_PROFILE = $(DESTDIR)$(APPARMORDIR)/sockplay

install-apparmor:
	@if [ -n "$(DESTDIR)" ] || [ -e "$(APPARMORDIR)/abi/4.0" ]; then \
		echo "install $(AA_PROFILE) (for $(BINDIR)/sockplay)"; \
		install -d "$(DESTDIR)$(APPARMORDIR)" && \
		sed 's|@BINDIR@|$(BINDIR)|g' assets/apparmor/sockplay.in >"$(AA_PROFILE).tmp" && \
		chmod 644 "$(AA_PROFILE).tmp" && mv "$(AA_PROFILE).tmp" "$(AA_PROFILE)" || exit 1; \
		if [ -z "$(DESTDIR)" ] && command -v apparmor_parser >/dev/null 2>&1; then \
			echo "apparmor_parser -r $(AA_PROFILE)"; \
			apparmor_parser -r "$(AA_PROFILE)" || \
				echo "sockplay: the profile did not load (is AppArmor running?)" >&2; \
		fi; \
	elif [ -d "$(APPARMORDIR)" ]; then \
		echo "sockplay: AppArmor here predates 4.0: it restricts no user namespaces, no profile needed"; \
	fi

uninstall-apparmor:
	@if [ -f "$(AA_PROFILE)" ]; then \
		if [ -z "$(DESTDIR)" ] && command -v apparmor_parser >/dev/null 2>&1; then \
			apparmor_parser -R "$(AA_PROFILE)" 2>/dev/null || true; \
		fi; \
		echo "rm -f $(AA_PROFILE)"; rm -f "$(AA_PROFILE)"; \
	fi

# -- a Debian package -----------------------------------------------------------
# dist/sockplay_VERSION_ARCH.deb, built by debhelper from debian/ in a copy of
# the tree (build/deb/), so that this tree's build/ stays as it is; checked by
# lintian (no errors). `sh tests/deps.sh deb` installs the Debian tools.
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
DEB = dist/sockplay_$(VERSION)_$(DEB_ARCH).deb
deb:
	@sh tests/deps.sh deb
	@rm -rf build/deb && mkdir -p build/deb/sockplay-$(VERSION) dist
	@tar -cf - --exclude=./build --exclude=./build-asan --exclude=./build-fuzz --exclude=./dist \
		--exclude=./.git --exclude=./sockplay . | tar -C build/deb/sockplay-$(VERSION) -xf -
	cd build/deb/sockplay-$(VERSION) && dpkg-buildpackage -b -us -uc
	@cp build/deb/sockplay_$(VERSION)_$(DEB_ARCH).deb $(DEB)
	lintian --fail-on error $(DEB)
	@echo "sockplay: built $(DEB)"

# -- translations ---------------------------------------------------------------
# assets/po/LANG.po -> build/locale/LANG/LC_MESSAGES/sockplay.mo, where the
# binary finds it when run from the tree; `make install` copies it under
# $(LOCALEDIR). Without msgfmt the build goes on in English. `make pot`
# re-extracts the template: _() and N_() in src/, and the TUI's tables in
# tui_draw.h (X(id, text) and X(action, key-bar word, help)); `make update-po`
# merges it into every .po.
MSGFMT ?= msgfmt
MSGMERGE ?= msgmerge
XGETTEXT ?= xgettext
PO := $(wildcard assets/po/*.po)
MO := $(patsubst assets/po/%.po,build/locale/%/LC_MESSAGES/sockplay.mo,$(PO))
POT := assets/po/sockplay.pot
XGETTEXT_FLAGS = --from-code=UTF-8 --language=C --add-comments=TRANSLATORS: \
	--package-name=sockplay --package-version=$(VERSION) -o $(POT)

all: locale
tests-build asan: $(MO)
install: install-locale
uninstall: uninstall-locale

locale: $(MO)

build/locale/%/LC_MESSAGES/sockplay.mo: assets/po/%.po
	@if command -v $(MSGFMT) >/dev/null 2>&1; then \
		mkdir -p $(@D) && echo "$(MSGFMT) -c -o $@ $<" && $(MSGFMT) -c -o $@ $<; \
	else \
		echo "sockplay: no $(MSGFMT) (package gettext): $< not built, messages stay English"; \
	fi

install-locale: locale
	@for mo in $(MO); do \
		[ -f "$$mo" ] || continue; \
		lang=$${mo#build/locale/}; lang=$${lang%%/*}; \
		echo "install $$mo $(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES/sockplay.mo"; \
		install -d "$(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES" && \
		install -m 644 "$$mo" "$(DESTDIR)$(LOCALEDIR)/$$lang/LC_MESSAGES/sockplay.mo" || exit 1; \
	done

uninstall-locale:
	rm -f $(patsubst assets/po/%.po,$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/sockplay.mo,$(PO))

pot:
	$(XGETTEXT) $(XGETTEXT_FLAGS) --keyword=_ --keyword=N_ $(SRC)
	$(XGETTEXT) $(XGETTEXT_FLAGS) -j --keyword --keyword=X:2,2t --keyword=X:3,3t include/sockplay/tui_draw.h
	$(XGETTEXT) $(XGETTEXT_FLAGS) -j --keyword --keyword=X:2,3t include/sockplay/tui_draw.h

update-po: pot
	@for po in $(PO); do $(MSGMERGE) --quiet --update --backup=none "$$po" $(POT) || exit 1; done

.PHONY: locale install-locale uninstall-locale pot update-po

# -- sanitizers, leaks and fuzzing ----------------------------------------------
# `make asan`: everything built with ASan + UBSan into build-asan/, the whole
# suite run against it. `make valgrind`: the unit tests and a few batch runs
# under valgrind. `make fuzz`: the libFuzzer targets of tests/fuzz/ (clang),
# each for FUZZ_TIME seconds or FUZZ_RUNS executions, whichever comes first.
# Clang where there is one: with gcc, UBSan beside ASan ignores log_path, and
# tests/run.sh collects the reports of every process from there. Warnings are
# the normal build's business.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
SAN_CFLAGS = $(CPPFLAGS) $(filter-out -Werror,$(CFLAGS)) $(SAN_FLAGS) \
	$(if $(findstring clang,$(SAN_CC)),-Wno-unknown-warning-option)
ASAN_LIBOBJ := $(LIBOBJ:build/%=build-asan/%)
ASAN_TESTS := $(TESTS:build/%=build-asan/%)

build-asan/%.o: src/%.c
	@mkdir -p build-asan/tests
	$(SAN_CC) $(SAN_CFLAGS) $(CURSES_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build-asan/sockplay: $(OBJ:build/%=build-asan/%)
	$(SAN_CC) $(LDFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

build-asan/tests/%: tests/%.c $(ASAN_LIBOBJ)
	$(SAN_CC) $(SAN_CFLAGS) $(CURSES_CFLAGS) $(DEPFLAGS) -Wno-unused-parameter -o $@ $< $(ASAN_LIBOBJ) $(CMOCKA_LIBS) $(LDLIBS)

-include $(wildcard build-asan/*.d build-asan/tests/*.d)

# CI's `make test` leaves out e2e_export.sh here: it checks the programs
# --export writes, which run outside sockplay (test_export covers --export).
ASAN_SKIP ?=
asan: deps
	@$(MAKE) --no-print-directory build-asan/sockplay $(ASAN_TESTS)
	@SOCKPLAY=build-asan/sockplay SOCKPLAY_TESTS=build-asan/tests SOCKPLAY_SKIP="$(ASAN_SKIP)" \
		sh tests/run.sh

VALGRIND ?= valgrind
valgrind: deps
	@$(MAKE) --no-print-directory sockplay tests-build
	@VALGRIND="$(VALGRIND)" sh tests/valgrind.sh

FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_RUNS ?= -1
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Iinclude -DSP_VERSION='"$(VERSION)"' \
	-DSP_LOCALEDIR='"$(LOCALEDIR)"' $(SAN_FLAGS)
FUZZ_LIB := build-fuzz/libsockplay.a
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build-fuzz/%.o: src/%.c
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(CURSES_CFLAGS) $(DEPFLAGS) -c -o $@ $<

-include $(wildcard build-fuzz/*.d)

$(FUZZ_LIB): $(LIBOBJ:build/%=build-fuzz/%)
	rm -f $@ && ar rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

build-fuzz/seeds/.done: tests/fuzz/seeds.py $(wildcard assets/demos/*.sp tests/golden/*.txt \
		tests/fuzz/corpus/*/*) include/sockplay/call.h src/consts.c
	rm -rf build-fuzz/seeds && python3 tests/fuzz/seeds.py build-fuzz/seeds && touch $@

fuzz-build: $(FUZZ_BIN) build-fuzz/seeds/.done

fuzz:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || \
		{ echo "make fuzz needs $(FUZZ_CC) with libFuzzer (Debian: apt-get install clang)" >&2; exit 1; }
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_TIME="$(FUZZ_TIME)" FUZZ_RUNS="$(FUZZ_RUNS)" sh tests/fuzz/run.sh $(FUZZ_BIN)

clean:
	rm -rf build build-asan build-fuzz sockplay dist src/export_rt/runtime.h

.PHONY: all run deps test check tests-build bench demos install uninstall install-apparmor \
	uninstall-apparmor deb clean asan valgrind fuzz fuzz-build

# xdpgate: one build, into build/. `make` builds the product (the xdpgate binary, its man
# page, the embedding examples) with the build dependencies alone (testenv/deps.sh build);
# `make all` adds the tests, the DEBUG build, the fuzzers and the bench tools, and `make test`
# installs what they need, builds them and runs them. `make demo`, `make check`,
# `make install` (PREFIX, DESTDIR), `make deb`, `make bench`. V=1 shows the commands.
ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
CLANG_FORMAT ?= clang-format
SCDOC ?= scdoc
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/xdpgate
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Debian 12 keeps packaged units in /lib; systemd also reads /usr/local/lib/systemd/system
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib,$(PREFIX)/lib)/systemd/system
# the example config and its rule set, where the unit looks (/etc/xdpgate/NAME.ini)
CONFDIR ?= /etc/xdpgate
BUILD := build
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -I$(BUILD) -I. -MMD -MP
# DEBUG=1 (after `make clean`): workers check after every round that each UMEM frame is in
# exactly one place, and the rule compiler that classes with equal hashes have equal rule
# sets; both abort if not.
ifeq ($(DEBUG),1)
CFLAGS += -DXG_XSK_DEBUG -DXG_DEBUG
endif
LDLIBS += -lxdp -lbpf -lelf -lz -lpthread -lpcap -linih -lmicrohttpd -lcap -ljansson -lncursesw -ltinfo
# -mcpu=v3: the atomic fetch-add and compare-exchange of the limits' shared buckets
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I. -I/usr/include/$(MULTIARCH) -MMD -MP
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

BPF_SRCS := $(wildcard xdp/*.bpf.c)
BPF_OBJS := $(patsubst xdp/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst xdp/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
# The gate without its optional features' code, for testenv/spec_test.c (not installed),
# and without connection tracking's, the program of every set without `ct` (user/gate/spec.c).
SKELS += $(BUILD)/xdpgate_nofeat.skel.h $(BUILD)/xdpgate_noct.skel.h

# Everything in user/ (one folder per subsystem) except the program entry point and the
# embedding examples goes into a library the tests link.
USER_SRCS := $(filter-out user/cli/main.c user/examples/%,$(shell find user -name '*.c'))
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
USER_SAN_OBJS := $(patsubst user/%.c,$(BUILD)/san/user/%.o,$(USER_SRCS))

TEST_SRCS := $(wildcard testenv/*_test.c)
TEST_BINS := $(patsubst testenv/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_LIB_SRCS := $(filter-out %_test.c,$(wildcard testenv/*.c))
TEST_LIB_OBJS := $(patsubst testenv/%.c,$(BUILD)/san/testenv/%.o,$(TEST_LIB_SRCS))

EXAMPLE_SRCS := $(wildcard user/examples/*.c)
EXAMPLES := $(patsubst user/examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))

# DEBUG=1's frame accounting, tested by every `make test`: the pool's objects built again
# with XG_XSK_DEBUG into build/debug/, and the ring tests (xsk_test.c) linked against them.
POOL_SAN_OBJS := $(filter $(BUILD)/san/user/pool/%,$(USER_SAN_OBJS))
DEBUG_POOL_OBJS := $(patsubst $(BUILD)/san/%,$(BUILD)/debug/san/%,$(POOL_SAN_OBJS))
DEBUG_TEST_BINS := $(BUILD)/tests/xsk_debug_test
# and the CLI with them (no sanitizers: it runs at test rates), for the forwarding tests
POOL_OBJS := $(filter $(BUILD)/user/pool/%,$(USER_OBJS))
DEBUG_XG_POOL_OBJS := $(patsubst $(BUILD)/user/%,$(BUILD)/debug/user/%,$(POOL_OBJS))

# What `make` builds: the product. `all` is the product and every test and tool.
PRODUCT := $(BUILD)/xdpgate $(BUILD)/xdpgate.8 $(EXAMPLES)
.DEFAULT_GOAL := product
product: $(PRODUCT)
all: product $(BUILD)/debug/xdpgate $(TEST_BINS) $(DEBUG_TEST_BINS)

# The man page: one source, docs/xdpgate.8.scd, in scdoc's markup.
$(BUILD)/xdpgate.8: docs/xdpgate.8.scd
	$(call msg,SCDOC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(SCDOC) <$< >$@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: xdp/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/xdpgate_nofeat.bpf.o: xdp/xdpgate.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DXG_NO_FEATURES -c $< -o $@

$(BUILD)/xdpgate_noct.bpf.o: xdp/xdpgate.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DXG_NO_CT -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/xdpgate: $(BUILD)/user/cli/main.o $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# Programs that embed the pool: user/examples/NAME.c -> build/examples/NAME.
$(BUILD)/examples/%: user/examples/%.c $(USER_OBJS) | $(SKELS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# Tests are built with ASan/UBSan and link the same user/ objects the CLI uses.
$(BUILD)/tests/%: $(BUILD)/san/testenv/%.o $(TEST_LIB_OBJS) $(USER_SAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) $^ -o $@ $(LDLIBS) -lcmocka

$(BUILD)/debug/san/%.o: %.c | $(SKELS)
	$(call msg,CC-DEBUG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -DXG_XSK_DEBUG $(SAN) -c $< -o $@

$(BUILD)/debug/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC-DEBUG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -DXG_XSK_DEBUG -c $< -o $@

$(BUILD)/debug/xdpgate: $(BUILD)/user/cli/main.o $(DEBUG_XG_POOL_OBJS) \
			$(filter-out $(POOL_OBJS),$(USER_OBJS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/xsk_debug_test: $(BUILD)/debug/san/testenv/xsk_test.o $(TEST_LIB_OBJS) \
			       $(DEBUG_POOL_OBJS) $(filter-out $(POOL_SAN_OBJS),$(USER_SAN_OBJS))
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) $^ -o $@ $(LDLIBS) -lcmocka

deps:
	$(Q)testenv/deps.sh build test

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)testenv/run-tests.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)testenv/demo.sh

# The benchmark matrix (bench/README.md): QUICK=1 for a smoke pass, one row per family.
bench: deps
	$(Q)bench/deps-bench.sh
	$(Q)$(MAKE) --no-print-directory all $(if $(wildcard bench/*.c),bench-bins)
	$(Q)bench/run.sh $(if $(filter-out 0,$(QUICK)),--quick) $(BENCH_ARGS)

check:
	$(Q)$(CLANG_FORMAT) --dry-run --Werror $$(git ls-files '*.c' '*.h')

# The same set the .deb installs (debian/rules calls this with PREFIX=/usr). The unit names
# /usr/local/sbin/xdpgate: it is installed with the binary's real path. The example config
# and its rule set are not written over when they are there already (your edits stay).
install: $(BUILD)/xdpgate $(BUILD)/xdpgate.8
	install -D -m 0755 $(BUILD)/xdpgate $(DESTDIR)$(SBINDIR)/xdpgate
	install -D -m 0644 $(BUILD)/xdpgate.8 $(DESTDIR)$(MANDIR)/man8/xdpgate.8
	install -D -m 0644 contrib/xdpgate.bash-completion $(DESTDIR)$(BASHCOMPDIR)/xdpgate
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(DOCDIR)
	sed -e 's#/usr/local/sbin/#$(SBINDIR)/#g' -e 's#/usr/local/share/doc/#$(PREFIX)/share/doc/#g' \
		contrib/xdpgate@.service >$(DESTDIR)$(UNITDIR)/xdpgate@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xdpgate@.service
	for f in xdpgate.ini eth0.rules; do \
		[ -e $(DESTDIR)$(CONFDIR)/$$f ] || install -m 0644 contrib/$$f $(DESTDIR)$(CONFDIR)/$$f; \
	done
	install -m 0644 README.md $(filter-out docs/README.md,$(wildcard docs/*.md)) $(DESTDIR)$(DOCDIR)/

# The Debian package, built from a copy of the tree (dpkg-buildpackage cleans the tree it
# runs in, and writes beside it) in build/deb/, checked by lintian (errors fail), copied to
# build/. `dpkg-buildpackage -b -us -uc` in the tree itself works as well.
deb:
	$(Q)testenv/deps.sh build deb
	$(Q)rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/xdpgate
	$(Q)git ls-files --cached --others --exclude-standard | while read -r f; do \
		[ ! -e "$$f" ] || cp --parents -P "$$f" $(BUILD)/deb/xdpgate/; done
	$(Q)cd $(BUILD)/deb/xdpgate && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -30 ../build.log; exit 1; }
	$(Q)cp $(BUILD)/deb/*.deb $(BUILD)/
	$(Q)lintian --fail-on error $(BUILD)/deb/*.changes
	$(Q)ls $(BUILD)/*.deb

clean:
	rm -rf $(BUILD)

.PHONY: product all deps test demo bench check install deb clean
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- bench binaries (kernel-path receivers and senders, the libxdp peer receiver) ---
# The benchmark's own programs (bench/rows/kernel-*.sh, tx-*.sh, peer-libxdp-*.sh): one file
# each, built by `make all` (not the product) so that testenv/test-bench.sh can smoke-test
# them. udp_rx links liburing (its uring mode); afpacket_tx the frame builder and interface
# lookups of user/util; xsk_rx libxdp and libbpf (libxdp's own AF_XDP program).
BENCH_BINS := $(BUILD)/bench/udp_rx $(BUILD)/bench/afpacket_rx $(BUILD)/bench/udp_tx \
	      $(BUILD)/bench/afpacket_tx $(BUILD)/bench/xsk_rx $(BUILD)/bench/feature_cost
BENCH_OBJS_afpacket_tx := $(BUILD)/user/util/frame_build.o $(BUILD)/user/util/netdev.o
# feature_cost: the gate's rule loader and both gate objects (docs/cost.md)
BENCH_OBJS_feature_cost := $(USER_OBJS)
BENCH_LIBS_feature_cost := $(LDLIBS)
BENCH_LIBS_udp_rx := -luring
BENCH_LIBS_xsk_rx := -lxdp -lbpf

all: $(BENCH_BINS)
bench-bins: $(BENCH_BINS)

.SECONDEXPANSION:
$(BUILD)/bench/%: bench/%.c $$(BENCH_OBJS_$$*)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< $(BENCH_OBJS_$*) -o $@ $(BENCH_LIBS_$*)

.PHONY: bench-bins
# --- end bench binaries ---

# --- fuzzing (testenv/fuzz/) ---
# libFuzzer harnesses, built with clang: the user/ objects they need are compiled again
# with the fuzzer's sanitizers into build/fuzz/obj/. `make fuzz` runs each for FUZZ_SECONDS
# on a copy of its seed corpus (testenv/fuzz/corpus/NAME/); `make test` replays the seeds
# and runs each for a few seconds (testenv/test-fuzz.sh).
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -I. -fno-omit-frame-pointer \
	      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SRCS := user/rules/lang.c user/rules/lang_lex.c user/rules/lang_clause.c \
	     user/rules/lang_file.c user/rules/ruleset.c user/rules/field.c user/rules/set.c \
	     user/rules/format.c user/rules/ref.c user/rules/match.c \
	     user/rules/flows_conf.c \
	     user/rules/explain.c user/util/log.c user/util/jsonstr.c user/util/enum_names.c \
	     user/cli/config.c user/cli/opts.c user/cli/help.c \
	     user/util/netdev.c user/util/regfile.c user/util/bigmem.c
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_SRCS))
FUZZ_NAMES := $(patsubst testenv/fuzz/%.c,%,$(wildcard testenv/fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_NAMES))

$(BUILD)/fuzz/obj/%.o: %.c
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%: testenv/fuzz/%.c $(FUZZ_OBJS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $^ -o $@ -linih -lpcap -lxdp -lbpf

fuzz-bins: $(FUZZ_BINS)

# `make all` (and so `make test`) builds the harnesses too; the product does not.
all: fuzz-bins

fuzz: fuzz-bins
	$(Q)for n in $(FUZZ_NAMES); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$n && \
		cp -n testenv/fuzz/corpus/$$n/* $(BUILD)/fuzz/corpus/$$n/ && \
		echo "fuzz $$n: $(FUZZ_SECONDS)s" && \
		$(BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$$n- \
			$(BUILD)/fuzz/corpus/$$n || exit 1; \
	done

.PHONY: fuzz fuzz-bins
# --- end fuzzing ---

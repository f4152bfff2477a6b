#!/bin/bash
# The documentation against the binary: the man page (docs/xdpgate.8.scd -> build/xdpgate.8)
# renders without warnings and documents every option of every command; the README's
# synopsis names them all; --help fits 80 columns and cuts no sentence; the bash completion
# completes; `make install` installs the package's file set; the shipped example config
# checks clean. No namespaces, no traffic.
# shellcheck shell=bash disable=SC2154 # ROOT comes from the runner

XG=$ROOT/build/xdpgate
MAN=$ROOT/build/xdpgate.8
SCD=$ROOT/docs/xdpgate.8.scd

need_built() {
	local f
	for f in "$XG" "$MAN"; do
		[[ -e $f ]] || _assert_fail_msg "$f is missing: run 'make' first"
	done
}

# The commands, from the top-level help's command list.
commands() {
	"$XG" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

# The long options of a command, from its --help (one a line, with the dashes).
help_options() {
	"$XG" "$1" --help | sed -n '/^Options:/,$p' |
		sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\} *\(--[a-z][a-z0-9-]*\).*/\2/p' | sed '/^--help$/d'
}

# The long options in the option tables of user/cli/ (entries `{ .name = "NAME",`).
table_options() {
	sed -n 's/^[[:space:]]*{ *\.name = "\([a-z][a-z0-9-]*\)".*/--\1/p' "$ROOT"/user/cli/*.c | sort -u
}

# The man page source's section for a command: from "## CMD" to the next heading.
man_section() {
	awk -v cmd="$1" '/^#/ { on = ($1 == "##" && $2 == cmd) } on' "$SCD"
}

# Options ($2..., one a line on stdin) that a command's man section does not document as
# *--name*; prints them, one a line.
undocumented() {
	local cmd=$1 sect opt
	sect=$(man_section "$cmd")
	while read -r opt; do
		[[ $sect == *"*$opt*"* ]] || echo "$cmd $opt"
	done
}

test_docs_man_warnings() {
	local warn
	need_built
	[[ $MAN -nt $SCD ]] || _assert_fail_msg "$MAN is older than $SCD: run 'make'"
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null)
	assert_eq "" "$warn" "man --warnings"
	assert_match "XDP packet gate" "$(MANWIDTH=80 man -l "$MAN" 2>/dev/null)"
}

# Every option of every command's --help is documented in that command's man section, and
# every entry of the option tables is in some --help and in the man page.
test_docs_options_in_man() {
	local cmd missing="" all_help="" opt n=0
	need_built
	for cmd in $(commands); do
		[[ -n $(man_section "$cmd") ]] || missing+="$cmd (no '## $cmd' section) "
		missing+=$(help_options "$cmd" | undocumented "$cmd" | tr '\n' ' ')
		all_help+=" $(help_options "$cmd" | tr '\n' ' ') "
		n=$((n + $(help_options "$cmd" | wc -l)))
	done
	assert_ge "$n" 50 "options found in --help"
	for opt in $(table_options); do
		[[ $all_help == *" $opt "* ]] || missing+="$opt (in an option table, not in any --help) "
		grep -qF -- "*$opt*" "$SCD" || missing+="$opt (in an option table, not in the man page) "
	done
	assert_eq "" "$missing" "undocumented options"
	# the check itself: an option added to a table and so to --help, but not to the man
	# page, is reported
	assert_eq "run --frobnicate" "$(printf -- '--frobnicate\n--wait\n' | undocumented run)"
}

# The README's synopsis names every option of every command's --help.
test_docs_readme_synopsis() {
	local syn cmd opt missing="" block
	need_built
	syn=$(awk '/^## Synopsis/ { on = 1; next } /^## / { on = 0 } on && /^    /' "$ROOT/README.md")
	assert_ne "" "$syn" "README's Synopsis block"
	for cmd in $(commands); do
		# the command's lines and the lines that continue them (more indented, or comments)
		block="$(awk -v cmd="$cmd" '/^    xdpgate / { on = ($2 == cmd) } on' <<<"$syn" |
			tr '\n' ' ') "
		[[ -n $block ]] || missing+="$cmd (no synopsis line) "
		for opt in $(help_options "$cmd"); do
			[[ $block =~ ${opt}[^a-z-] ]] || missing+="$cmd $opt "
		done
	done
	assert_eq "" "$missing" "options missing from the README's synopsis"
}

# --help is at most 80 columns when piped, and the command list gives each command's
# first sentence whole (it used to cut gen's mid-sentence).
test_docs_help_width() {
	local cmd long top first
	need_built
	long=$({
		"$XG" --help
		for cmd in $(commands); do "$XG" "$cmd" --help; done
	} | awk 'length($0) > 80')
	assert_eq "" "$long" "help lines over 80 columns"
	top=$("$XG" --help | tr -s ' \n' '  ')
	for cmd in $(commands); do
		# the summary's first sentence, from the command's own help (third line on)
		first=$("$XG" "$cmd" --help | sed -n '3,/\.$/p' | tr -s ' \n' '  ' |
			sed 's/\([^.]*[.)]*\.\)[ ].*/\1/; s/ *$//')
		assert_match '\.$' "$first" "$cmd: first sentence"
		[[ $top == *"$first"* ]] || _assert_fail_msg "$cmd: '$first' is not whole in --help"
	done
	assert_match "zero-copy where the driver can\)\." "$top" "gen's summary"
	# on a terminal, its width (script(1) gives the command a 70-column one)
	long=$(script -qec "stty cols 70; $XG run --help; $XG --help" /dev/null | tr -d '\r' |
		awk 'length($0) > 70')
	assert_eq "" "$long" "help lines over 70 columns on a 70-column terminal"
}

# Complete "WORDS..." (the cursor on the last word) and print COMPREPLY sorted, one line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_xdpgate
	((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

test_docs_completion() {
	local want
	need_built
	cd "$ROOT" || return 1
	# shellcheck source=contrib/xdpgate.bash-completion
	source contrib/xdpgate.bash-completion
	assert_eq "_xdpgate" "$(complete -p xdpgate | awk '{ print $3 }')"
	want=$(commands | sort | tr '\n' ' ')
	assert_eq "$want" "$(complete_words "$XG" "")" "commands"
	assert_eq "rules run " "$(complete_words "$XG" r)"
	assert_eq "add bench check confirm del explain list load " "$(complete_words "$XG" rules "")"
	assert_eq "check " "$(complete_words "$XG" config "")"
	assert_eq "--wait --workers-per-queue " "$(complete_words "$XG" run --w)"
	assert_eq "busy-poll poll spin " "$(complete_words "$XG" run --wait "")"
	assert_eq "busy-poll " "$(complete_words "$XG" -v run -w b)" "short option, global -v"
	assert_eq "native skb " "$(complete_words "$XG" attach --mode "")"
	assert_eq "--interval " "$(complete_words "$XG" stats --int)"
	assert_match "(^| )lo " "$(complete_words "$XG" stats "")" "interface names"
	assert_match "(^| )lo " "$(complete_words "$XG" rules load "")"
	assert_match "lo,lo " "$(complete_words "$XG" run lo,)" "run's interface list"
	assert_eq "contrib " "$(complete_words "$XG" rules load lo cont)" "a file argument"
	assert_eq "contrib " "$(complete_words "$XG" attach --rules cont)" "a FILE option"
	assert_eq "contrib " "$(complete_words "$XG" config check cont)"
	assert_eq "" "$(complete_words "$XG" detach lo "")" "nothing after detach IFACE"
}

# `make install` (PREFIX=/usr, as debian/rules) installs the .deb's file set, the unit
# naming the installed binary, and the installed example config checks clean.
test_docs_install() {
	local d f
	need_built
	d=$(mktemp -d /tmp/xg-test-docs.XXXXXX)
	trap 'rm -rf "$d"' EXIT
	assert_ok make -s -C "$ROOT" install DESTDIR="$d" PREFIX=/usr
	for f in usr/sbin/xdpgate usr/share/man/man8/xdpgate.8 lib/systemd/system/xdpgate@.service \
		etc/xdpgate/xdpgate.ini etc/xdpgate/eth0.rules usr/share/bash-completion/completions/xdpgate \
		usr/share/doc/xdpgate/README.md usr/share/doc/xdpgate/rules.md; do
		[[ -f $d/$f ]] || _assert_fail_msg "make install: $f missing"
	done
	assert_match "ExecStart=/usr/sbin/xdpgate run" "$(cat "$d/lib/systemd/system/xdpgate@.service")"
	assert_eq "" "$(grep -n /usr/local "$d/lib/systemd/system/xdpgate@.service")" "unit paths"
	assert_ok "$d/usr/sbin/xdpgate" config check "$d/etc/xdpgate/xdpgate.ini"
	# a second install keeps an edited config
	echo '; edited' >>"$d/etc/xdpgate/xdpgate.ini"
	assert_ok make -s -C "$ROOT" install DESTDIR="$d" PREFIX=/usr
	assert_eq "; edited" "$(tail -1 "$d/etc/xdpgate/xdpgate.ini")"
}

# The shipped example checks clean from the source tree, whatever the working directory:
# its rules path is taken from the config file's directory.
test_docs_example_config() {
	need_built
	assert_ok "$XG" rules check "$ROOT/contrib/eth0.rules"
	assert_match "OK, 1 interface" "$(cd / && "$XG" config check "$ROOT/contrib/xdpgate.ini")"
	assert_match "OK, 1 interface" "$(cd "$ROOT/contrib" && "$XG" config check xdpgate.ini)"
	assert_match "OK, 1 interface" "$(cd "$ROOT" && "$XG" config check contrib/xdpgate.ini)"
}

# bench/results holds only runs a document names (by file name, or by its time stamp as
# `-HHMMSS`), and every bench/results file a document names is there.
test_docs_bench_results_named() {
	local docs f run t missing="" unnamed=""
	docs=("$ROOT/README.md" "$ROOT"/docs/*.md "$ROOT/bench/README.md")
	for f in "$ROOT"/bench/results/*; do
		f=${f##*/}
		run=$(sed -E 's/^([0-9]{8}-[0-9]{6}).*/\1/; t; s/^([0-9]{8}-[0-9a-z]+)[-.].*/\1/' <<<"$f")
		t=${run#*-}
		grep -qE -- "$run|-$t([^0-9]|$)" "${docs[@]}" || unnamed+="$f "
	done
	assert_eq "" "$unnamed" "results no document names"
	for f in $(grep -ohE 'bench/results/[0-9][A-Za-z0-9.*-]+' "${docs[@]}" | sort -u); do
		f=${f%.}
		# a name without its extension stands for the run's files
		compgen -G "$ROOT/$f*" >/dev/null || missing+="$f "
	done
	assert_eq "" "$missing" "results the documents name"
}

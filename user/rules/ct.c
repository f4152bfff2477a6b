// SPDX-License-Identifier: GPL-2.0
/* Connection state: the gate reads the kernel's conntrack (bpf_xdp_ct_lookup), so its code is
 * loaded only for a rule set with `ct`, the kernel must have the kfuncs, and the namespace's
 * conntrack must run. It runs only while some netfilter rule needs it: with no rules at all
 * the kernel tracks nothing and every lookup misses. So the gate owns a minimal nftables
 * table, one `ct state` rule with no verdict in prerouting and output, made by `nft` (the
 * binary: no library to link for two commands), created by attach (or a `run` that owns the
 * interface) and removed by detach (or when that run stops). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "common/ct_state.h"
#include "common/xdpgate_structs.h"
#include "user/util/log.h"
#include "user/rules/ct.h"
#include "user/gate/skel.h"

extern char **environ;

bool xg_ct_kfuncs_present(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod;
	bool has;

	if (!vmlinux)
		return false;
	has = btf__find_by_name_kind(vmlinux, "bpf_xdp_ct_lookup", BTF_KIND_FUNC) > 0;
	if (!has) {
		/* nf_conntrack as a module: its BTF is split from vmlinux's */
		mod = btf__parse_split("/sys/kernel/btf/nf_conntrack", vmlinux);
		has = mod && btf__find_by_name_kind(mod, "bpf_xdp_ct_lookup", BTF_KIND_FUNC) > 0;
		btf__free(mod);
	}
	btf__free(vmlinux);
	return has;
}

__u32 xg_ct_injected(void)
{
	const char *inject = getenv("XG_TEST_CT_INJECT");

	return inject && !strcmp(inject, "1") ? XG_FEAT_CT_INJECT : 0;
}

int xg_ct_specialise(struct xdpgate_bpf *skel, const struct xg_ruleset *rs)
{
	skel->rodata->xg_ct_mode = XG_CT_MODE_OFF;
	if (!xg_ruleset_uses_ct(rs))
		return 0;
	if (xg_ct_injected()) {
		skel->rodata->xg_ct_mode = XG_CT_MODE_INJECT;
		return 0;
	}
	if (!xg_ct_kfuncs_present()) {
		pr_warn("ct: this kernel has no bpf_xdp_ct_lookup kfunc (nf_conntrack with BTF, "
			"Linux 6.0 or later): rules with 'ct' cannot run here\n");
		return -EOPNOTSUPP;
	}
	skel->rodata->xg_ct_mode = XG_CT_MODE_KERNEL;
	return 0;
}

void xg_ct_table_name(int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "xdpgate_ct_%d", ifindex);
}

/* Run `nft CMD`; quiet: its output to /dev/null, and no word when nft is missing (a cleanup
 * with nothing to clean). The exit status, or -1. */
static int run_nft(const char *cmd, bool quiet)
{
	char *argv[] = { "nft", (char *)cmd, NULL };
	posix_spawn_file_actions_t fa;
	int status, err;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	err = posix_spawnp(&pid, "nft", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err && quiet)
		return -1;
	if (err) {
		pr_warn("ct: cannot run nft: %s (install Debian's nftables)\n", strerror(err));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int xg_ct_tracking_on(int ifindex)
{
	char name[32], cmd[512];

	xg_ct_table_name(ifindex, name, sizeof(name));
	xg_ct_tracking_off(ifindex); /* one left by a gate that was not detached */
	snprintf(cmd, sizeof(cmd),
		 "add table inet %s { "
		 "chain pre { type filter hook prerouting priority -150; policy accept; "
		 "ct state invalid counter; }; "
		 "chain out { type filter hook output priority -150; policy accept; "
		 "ct state invalid counter; }; }",
		 name);
	if (run_nft(cmd, false)) {
		pr_warn("ct: nft could not create table inet %s, which turns connection "
			"tracking on\n",
			name);
		return -1;
	}
	return 0;
}

int xg_ct_tracking_off(int ifindex)
{
	char name[32], cmd[96];

	xg_ct_table_name(ifindex, name, sizeof(name));
	snprintf(cmd, sizeof(cmd), "delete table inet %s", name);
	run_nft(cmd, true); /* absent: nothing to do */
	return 0;
}

bool xg_ct_tracking_present(int ifindex)
{
	char name[32], cmd[96];

	xg_ct_table_name(ifindex, name, sizeof(name));
	snprintf(cmd, sizeof(cmd), "list table inet %s", name);
	return run_nft(cmd, true) == 0;
}

#define CT_SYSCTL "/proc/sys/net/netfilter/"
#define CT_KSTAT "/proc/net/stat/nf_conntrack"

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* One column of a line of /proc/net/stat/nf_conntrack (hex, one line a CPU), by its name. */
static void kstat_add(struct xg_ct_kstats *k, const char *name, uint64_t v)
{
	if (!strcmp(name, "early_drop"))
		k->early_drop += v;
	else if (!strcmp(name, "drop"))
		k->drop += v;
	else if (!strcmp(name, "insert_failed"))
		k->insert_failed += v;
	else if (!strcmp(name, "invalid"))
		k->invalid += v;
}

int xg_ct_kstats_read(struct xg_ct_kstats *k)
{
	char head[512], line[512], *names[32], *save, *t, *end;
	int n = 0, i;
	FILE *f;

	memset(k, 0, sizeof(*k));
	k->count = read_long(CT_SYSCTL "nf_conntrack_count");
	k->max = read_long(CT_SYSCTL "nf_conntrack_max");
	if (k->count < 0) {
		pr_warn("ct: no %snf_conntrack_count: nf_conntrack is not loaded here\n",
			CT_SYSCTL);
		return -1;
	}
	f = fopen(CT_KSTAT, "r");
	if (!f)
		return 0; /* no statistics (CONFIG_NF_CONNTRACK_PROCFS off): zeros */
	if (fgets(head, sizeof(head), f))
		for (t = strtok_r(head, " \n", &save); t && n < 32;
		     t = strtok_r(NULL, " \n", &save))
			names[n++] = t;
	while (fgets(line, sizeof(line), f)) {
		t = line;
		for (i = 0; i < n; i++) {
			uint64_t v = strtoull(t, &end, 16);

			if (end == t)
				break;
			kstat_add(k, names[i], v);
			t = end;
		}
	}
	fclose(f);
	return 0;
}

int xg_ct_set_max(const char *who, unsigned long max)
{
	const char *path = CT_SYSCTL "nf_conntrack_max";
	long cur = read_long(path);
	FILE *f;
	int err;

	if (!max || max > XG_CT_MAX_LIMIT) {
		pr_warn("%s: nf_conntrack_max %lu: the table's size must be 1 to %lu\n", who, max,
			XG_CT_MAX_LIMIT);
		return -1;
	}
	if (cur < 0) {
		pr_warn("%s: nf_conntrack_max: no %s: nf_conntrack is not loaded here\n", who,
			path);
		return -1;
	}
	if ((unsigned long)cur == max)
		return 0;
	f = fopen(path, "w");
	err = f ? 0 : errno;
	if (f && (fprintf(f, "%lu\n", max) < 0 || fflush(f)))
		err = errno;
	if (f && fclose(f) && !err)
		err = errno;
	if (err == EACCES || err == EPERM || err == EROFS) {
		pr_warn("%s: nf_conntrack_max %lu: it is host-wide, and only the initial network "
			"namespace may set it (it is %ld; there: sysctl -w "
			"net.netfilter.nf_conntrack_max=%lu)\n",
			who, max, cur, max);
		return -1;
	}
	if (err) {
		pr_warn("%s: nf_conntrack_max %lu: cannot write %s: %s\n", who, max, path,
			strerror(err));
		return -1;
	}
	pr_info("%s: nf_conntrack_max %ld -> %lu (host-wide: every namespace's limit; it stays "
		"after the gate goes)\n",
		who, cur, max);
	return 0;
}

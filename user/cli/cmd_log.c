// SPDX-License-Identifier: GPL-2.0
/* log: the frames that rules with `log [every N]` sampled, read live from the gate's ring
 * buffer (README "Sampled drop log"): one line per frame, one JSON object per line, or a
 * pcap file. The ring buffer has one consumer position, so two readers would each see part
 * of the records: a reader holds an flock on /run/xdpgate/ns<inode>-if<ifindex>.log, which
 * holds its pid, and a second one is refused naming it. A write error (a full disk, a
 * closed pipe) ends the reader with one line and exit 1: records are consumed as read. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* pcap/bpf.h and linux/bpf.h both define struct bpf_insn: keep libpcap's under another
 * name, nothing here uses it. */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn

#include "common/parse.h"
#include "user/cli/commands.h"
#include "user/cli/json.h"
#include "user/gate/caps.h"
#include "user/gate/counters.h"
#include "user/gate/gate.h"
#include "user/gate/maps.h"
#include "user/gate/pin.h"
#include "user/gate/stale.h"
#include "user/pool/publish.h"
#include "user/rules/explain.h"
#include "user/rules/match.h"
#include "user/util/enum_names.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/util/time.h"

#define POLL_MS 100
#define COUNT_DONE (-ECANCELED) /* on_record: --count reached, leave the rest in the ring */

struct log_cfg {
	const char *pcap;
	const char *filter; /* pcap-filter expression: only frames it passes */
	unsigned int count; /* stop after N frames; 0: no limit */
	double duration;    /* stop after S seconds; 0: no limit */
	bool json;
};

struct log_run {
	const struct log_cfg *cfg;
	const struct xg_gate *g;
	const struct xg_gate_maps *m;
	__s64 real_off_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME: the records' clock to wall time */
	pcap_t *pd;
	pcap_dumper_t *dump;
	struct xg_capfilter *filter;
	unsigned long long n;
	int write_errno; /* writing the output failed: the reader stops */
};

/* The text of the rule a record names, if the set it came from is still in a slot. */
static void rule_text(const struct log_run *lr, const struct xg_log_rec *rec, char *text)
{
	struct xg_config cfg;
	__u32 key = 0, s, idx;

	text[0] = '\0';
	if (bpf_map_lookup_elem(lr->m->config, &key, &cfg))
		return;
	for (s = 0; s < 2; s++) {
		if (cfg.slot[s].gen != rec->gen || rec->rule >= cfg.slot[s].nrules)
			continue;
		idx = s * XG_RULES_MAX_BPF + rec->rule;
		if (bpf_map_lookup_elem(lr->m->rule_text, &idx, text))
			text[0] = '\0';
		return;
	}
}

static void wall_time(const struct log_run *lr, const struct xg_log_rec *rec, struct timespec *ts)
{
	__s64 ns = (__s64)rec->ts_ns + lr->real_off_ns;

	ts->tv_sec = (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}

static void print_addr_json(const char *key, const struct xg_pkt *p, const __u32 *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, a, s, sizeof(s));
	printf(",\"%s\":\"%s\"", key, s);
}

static void print_json(const struct log_run *lr, const struct xg_log_rec *rec,
		       const struct timespec *ts, const char *text, const struct xg_pkt *p,
		       int outcome)
{
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	printf("{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\",\"interface\":",
	       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	       ts->tv_nsec / 1000);
	xg_json_str(stdout, lr->g->ifname);
	printf(",\"rule\":%u,\"text\":", rec->rule + 1);
	xg_json_str(stdout, text);
	printf(",\"verdict\":\"%s\",\"len\":%u,\"caplen\":%u,\"queue\":%u,\"parse\":\"%s\"",
	       xg_verdict_name(rec->verdict), rec->len, rec->caplen, rec->queue,
	       xg_parse_name((unsigned int)outcome));
	if (p->family) {
		print_addr_json("src", p, p->saddr);
		print_addr_json("dst", p, p->daddr);
		printf(",\"proto\":%u", p->l4_proto);
	}
	if (p->l4_ok && (p->l4_proto == IPPROTO_TCP || p->l4_proto == IPPROTO_UDP))
		printf(",\"sport\":%u,\"dport\":%u", p->sport, p->dport);
	if (p->l4_ok && (p->l4_proto == IPPROTO_ICMP || p->l4_proto == XG_IPPROTO_ICMPV6))
		printf(",\"icmp_type\":%u", p->icmp_type);
	printf("}\n");
}

static void print_line(const struct log_run *lr, const struct xg_log_rec *rec,
		       const struct timespec *ts, const char *text, const struct xg_pkt *p,
		       int outcome)
{
	struct tm tm;

	localtime_r(&ts->tv_sec, &tm);
	printf("%02d:%02d:%02d.%06ld %s rule %u %s %u bytes q%u: ", tm.tm_hour, tm.tm_min,
	       tm.tm_sec, ts->tv_nsec / 1000, lr->g->ifname, rec->rule + 1,
	       xg_verdict_name(rec->verdict), rec->len, rec->queue);
	xg_frame_describe(stdout, p, outcome);
	printf(text[0] ? " [%s]\n" : "\n", text);
}

/* One record out: a line, a JSON object or a pcap frame, flushed so that it can be read
 * while the reader runs. 0, or -errno when it could not be written. */
static int log_record(struct log_run *lr, const void *data, size_t size)
{
	const struct xg_log_rec *rec = data;
	uint8_t frame[XG_LOG_SNAP];
	char text[XG_RULE_TEXT_BPF];
	struct pcap_pkthdr h;
	struct xg_pkt pkt = { 0 };
	struct timespec ts;
	int outcome;

	if (size < sizeof(*rec) ||
	    (lr->filter &&
	     !xg_capfilter_pass(lr->filter, rec->data,
				rec->caplen > XG_LOG_SNAP ? XG_LOG_SNAP : rec->caplen, rec->len)))
		return 0;
	lr->n++;
	wall_time(lr, rec, &ts);
	if (lr->dump) {
		h.ts.tv_sec = ts.tv_sec;
		h.ts.tv_usec = ts.tv_nsec / 1000;
		h.caplen = rec->caplen > XG_LOG_SNAP ? XG_LOG_SNAP : rec->caplen;
		h.len = rec->len;
		pcap_dump((u_char *)lr->dump, &h, rec->data);
		return pcap_dump_flush(lr->dump) ? -errno : 0;
	}
	memcpy(frame, rec->data, sizeof(frame));
	outcome = xg_parse_frame(
		frame, frame + (rec->caplen > XG_LOG_SNAP ? XG_LOG_SNAP : rec->caplen), &pkt);
	rule_text(lr, rec, text);
	(lr->cfg->json ? print_json : print_line)(lr, rec, &ts, text, &pkt, outcome);
	return fflush(stdout) || ferror(stdout) ? -errno : 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct log_run *lr = ctx;
	int err = log_record(lr, data, size);

	if (err) {
		lr->n--; /* not written */
		lr->write_errno = -err;
		return err; /* libbpf stops here */
	}
	/* a negative return makes libbpf stop after this record: the records behind it stay
	 * for the next reader instead of being consumed unseen */
	return lr->cfg->count && lr->n >= lr->cfg->count ? COUNT_DONE : 0;
}

static __s64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The pcap file, made 0600 (it holds other people's traffic). 0, or -1 after one line. */
static int open_pcap(struct log_run *lr)
{
	const char *path = lr->cfg->pcap;
	struct stat st;
	FILE *fp = NULL;
	int fd;

	lr->pd = pcap_open_dead(DLT_EN10MB, XG_LOG_SNAP);
	if (!lr->pd) {
		pr_warn("log: out of memory\n");
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && (st.st_mode & 077))
		(void)fchmod(fd, 0600); /* an old file overwritten: private like a new one */
	if (fd >= 0)
		fp = fdopen(fd, "wb");
	if (!fp) {
		pr_warn("log: cannot write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	lr->dump = pcap_dump_fopen(lr->pd, fp); /* on failure libpcap closes fp */
	if (!lr->dump) {
		pr_warn("log: cannot write %s: %s\n", path, pcap_geterr(lr->pd));
		return -1;
	}
	return 0;
}

/* The gate's one reader: an flock on a file in /run/xdpgate that holds the holder's pid.
 * The fd (kept open while reading: closing it releases the lock), or -1 after one line. */
static int reader_lock(const struct xg_gate *g)
{
	char path[PATH_MAX], pid[24] = "";
	ssize_t n;
	int fd;

	if (xg_run_publish_dir(true) || xg_run_publish_path(g, path, sizeof(path) - 4))
		return -1;
	strcpy(path + strlen(path) - strlen(".json"), ".log"); /* beside run's counters */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		pr_warn("log: %s: cannot open %s: %s\n", g->ifname, path, strerror(errno));
		return -1;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB)) {
		if (ftruncate(fd, 0) || dprintf(fd, "%d\n", (int)getpid()) < 0)
			pr_debug("log: %s: %s\n", path, strerror(errno)); /* the lock still holds */
		return fd;
	}
	if (errno == EWOULDBLOCK) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? strcspn(pid, "\n") : 0] = '\0';
		pr_warn("log: %s: another xdpgate log (pid %s) reads this gate, and its ring "
			"buffer "
			"has one reader: stop that one first\n",
			g->ifname, pid[0] ? pid : "unknown");
	} else {
		pr_warn("log: %s: cannot lock %s: %s\n", g->ifname, path, strerror(errno));
	}
	close(fd);
	return -1;
}

static int log_loop(struct log_run *lr, struct ring_buffer *rb)
{
	double end = lr->cfg->duration ? xg_now() + lr->cfg->duration : 0;
	int err;

	while (!xg_stop_requested() && (!lr->cfg->count || lr->n < lr->cfg->count) &&
	       (!end || xg_now() < end)) {
		err = ring_buffer__poll(rb, POLL_MS);
		if (err == COUNT_DONE)
			return 0;
		if (lr->write_errno)
			return -EIO; /* said by the caller */
		if (err < 0 && err != -EINTR)
			return err;
		if (xg_gate_maps_gone(lr->g, lr->m->config))
			return -ENODEV; /* detached: no frame would come */
	}
	return 0;
}

/* The one line a reader ends with: how many frames it wrote, or what went wrong. */
static void log_end(const struct log_run *lr, int err, const struct xg_snapshot *s0)
{
	const char *ifname = lr->g->ifname, *pcap = lr->cfg->pcap;
	struct xg_snapshot s1;

	if (!err && !xg_counters_read(lr->m->stats, &s1))
		pr_info("log: %s: %llu frame%s%s%s, %llu lost (ring buffer full)\n", ifname, lr->n,
			lr->n == 1 ? "" : "s", pcap ? " written to " : "", pcap ? pcap : "",
			(unsigned long long)(s1.c[XG_CNT_LOG_LOST].packets -
					     s0->c[XG_CNT_LOG_LOST].packets));
	if (lr->write_errno)
		pr_warn("log: %s: cannot write %s: %s (%llu frame%s written)\n", ifname,
			pcap ? pcap : "stdout", strerror(lr->write_errno), lr->n,
			lr->n == 1 ? "" : "s");
	else if (err == -ENODEV)
		pr_warn("log: %s: the gate is gone (detached, or attached again)\n", ifname);
	else if (err && err != -ECANCELED)
		pr_warn("log: %s: %s\n", ifname, strerror(-err));
}

static int do_log(void *cfgp, int argc, char **argv)
{
	struct log_run lr = { .cfg = cfgp };
	struct xg_snapshot s0;
	struct ring_buffer *rb = NULL;
	struct xg_gate_maps m;
	struct xg_gate g;
	char msg[XG_MATCH_ERR_MAX];
	int fd = -1, lock = -1, err;

	(void)argc;
	if (lr.cfg->pcap && lr.cfg->json) {
		pr_warn("log: --pcap and --json exclude each other\n");
		return 2;
	}
	if (lr.cfg->filter && xg_capfilter_open(lr.cfg->filter, &lr.filter, msg, sizeof(msg))) {
		pr_warn("log: --filter '%s': %s\n", lr.cfg->filter, msg);
		return 2;
	}
	if (xg_require_caps("log", XG_CAPS_READ) || xg_gate_init(&g, "log", argv[0]) ||
	    xg_bpffs_ensure() || xg_gate_maps_open(&g, "log", &m)) {
		xg_capfilter_close(lr.filter);
		return 1;
	}
	lr.g = &g;
	lr.m = &m;
	lr.real_off_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	lock = reader_lock(&g);
	if (lock < 0) {
		xg_gate_maps_close(&m);
		return 1;
	}
	fd = xg_gate_map_fd(&g, "log", "xg_log");
	err = fd < 0 ? fd : 0;
	if (!err && lr.cfg->pcap && open_pcap(&lr))
		err = -ECANCELED; /* said */
	if (!err) {
		rb = ring_buffer__new(fd, on_record, &lr, NULL);
		err = rb ? xg_counters_read(m.stats, &s0) : -errno;
	}
	if (!err) {
		xg_stop_on_signals();
		err = log_loop(&lr, rb);
	}
	log_end(&lr, err, &s0);
	ring_buffer__free(rb);
	if (lr.dump)
		pcap_dump_close(lr.dump);
	if (lr.pd)
		pcap_close(lr.pd);
	if (fd >= 0)
		close(fd);
	close(lock);
	xg_gate_maps_close(&m);
	xg_capfilter_close(lr.filter);
	return err ? 1 : 0;
}

static const struct xg_opt log_opts[] = {
	{ .name = "pcap",
	  .short_name = 'w',
	  .type = XG_OPT_STRING,
	  .offset = offsetof(struct log_cfg, pcap),
	  .metavar = "FILE",
	  .help = "write the frames to a pcap file instead (first 128 bytes each)" },
	{ .name = "filter",
	  .short_name = 'f',
	  .type = XG_OPT_STRING,
	  .offset = offsetof(struct log_cfg, filter),
	  .metavar = "EXPR",
	  .help = "only frames this pcap-filter expression passes (on the bytes logged)" },
	XG_OPT_JSON(struct log_cfg, json, "one JSON object per frame"),
	XG_OPT_COUNT(struct log_cfg, count, "stop after N frames (default: until Ctrl-C)"),
	XG_OPT_DURATION(struct log_cfg, duration, "stop after S seconds"),
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_log = {
	.name = "log",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Print the frames that rules with 'log [every N]' sample, live.\n"
		   "One line per frame (time, rule, verdict, length, queue, what the parser\n"
		   "found, the rule's text), or --json, or --pcap FILE for tshark.",
	.opts = log_opts,
	.cfg_size = sizeof(struct log_cfg),
	.run = do_log,
};

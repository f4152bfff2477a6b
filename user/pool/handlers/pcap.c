// SPDX-License-Identifier: GPL-2.0
/* pcap: write every frame to a pcap file (libpcap's dump API, Ethernet, microsecond
 * timestamps taken once per batch from CLOCK_REALTIME) and recycle it.
 *
 *   --handler pcap:FILE[,rotate=MB][,filter=EXPR]
 *
 * filter= (last: the expression runs to the end) keeps only the frames a pcap-filter
 * expression passes, as tcpdump's would; the others are handled without being written.
 *
 * Files, one per queue so workers share nothing: queue 0 writes FILE itself, queue N > 0
 * writes FILE with "-qN" before the extension (out.pcap -> out-q1.pcap; no extension:
 * out -> out-q1). With rotate=MB, once a file has grown past MB * 10^6 bytes (as
 * tcpdump -C counts) it is closed and writing goes on in "<that file>.1", then ".2", ...:
 * out.pcap, out.pcap.1, out.pcap.2; out-q1.pcap, out-q1.pcap.1. Existing files are
 * overwritten. Options start at the first comma-separated item holding '=' (a comma
 * before it is part of the file name); every item from there on must be an option.
 *
 * Files are made mode 0600: captures hold other people's traffic. The parts of a rotation
 * are created by the worker, which holds no capability (worker.c): they are made with
 * openat() in the directory opened at init, and init refuses a directory the worker could
 * not create them in, rather than lose every frame after the first file.
 *
 * Writes go through stdio: a failure shows when a buffer is written out, so `errors`
 * counts the frame during which stdio reported it (and a failed flush), not every frame
 * lost with that buffer. The stream is flushed about once a second and at fini, which says
 * in one line how many frames were lost and why. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* pcap/bpf.h and linux/bpf.h (through xdp/xsk.h) both define struct bpf_insn: keep
 * libpcap's under another name, nothing here uses it. */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn

#include "user/pool/handler.h"
#include "user/rules/match.h"
#include "user/util/log.h"

#define PCAP_SNAPLEN 65535
#define PCAP_FILE_HDR 24 /* struct pcap_file_header */
#define PCAP_REC_HDR 16	 /* the on-disk record header (32-bit seconds and microseconds) */
#define ROTATE_MB_MAX 1000000

struct pcap_state {
	pcap_t *pd;	    /* a dead handle: only describes the link type */
	pcap_dumper_t *d;   /* NULL after a rotation failed to open the next file */
	FILE *fp;	    /* d's stream, for ferror() */
	char *path;	    /* this queue's file, as named (for messages) */
	const char *base;   /* its last component, in path */
	int dirfd;	    /* its directory, opened at init: every part is made in it */
	unsigned int queue; /* for messages */
	unsigned int part;  /* 0: path itself; k: path.k */
	uint64_t limit;	    /* bytes; 0: never rotate */
	uint64_t bytes;	    /* in the current file */
	uint64_t lost;	    /* frames counted as errors */
	int lost_errno;	    /* why the first of them was lost */
	unsigned int lost_part;
	time_t flushed_sec; /* CLOCK_REALTIME second of the last flush */
	bool warned;	    /* a failed reopen is reported once */
	/* filter=EXPR; NULL: every frame */
	struct xg_capfilter *filter;
};

/* "rotate=MB" (n characters at v, after "rotate="): 0, or -1 with why filled. */
static int parse_rotate(const char *v, size_t n, uint64_t *limit, char *why, size_t len)
{
	unsigned long long mb = 0;
	char buf[24], *end;

	if (n < sizeof(buf)) {
		memcpy(buf, v, n);
		buf[n] = '\0';
		errno = 0;
		mb = strtoull(buf, &end, 10);
		if (errno || end == buf || *end || buf[0] == '-')
			mb = 0;
	}
	if (!mb || mb > ROTATE_MB_MAX) {
		snprintf(why, len, "rotate=%.*s is not a size in MB (1 to %d)", (int)n, v,
			 ROTATE_MB_MAX);
		return -1;
	}
	*limit = mb * 1000000ULL;
	return 0;
}

/* The first ",ITEM" whose ITEM holds '=': where the options start; NULL: none. */
static const char *options_start(const char *arg)
{
	const char *p;

	for (p = strchr(arg, ','); p; p = strchr(p + 1, ','))
		if (memchr(p + 1, '=', strcspn(p + 1, ",")))
			return p;
	return NULL;
}

/* Split "FILE[,rotate=MB]" (file: NULL to check only). 0, or -1 with why filled. */
static int parse_arg(const char *arg, char **file, uint64_t *limit, char *why, size_t len)
{
	const char *opt = arg ? options_start(arg) : NULL, *item;
	size_t flen = opt ? (size_t)(opt - arg) : arg ? strlen(arg) : 0, n;

	*limit = 0;
	if (!flen) {
		snprintf(why, len, "a file is needed: pcap:FILE[,rotate=MB]");
		return -1;
	}
	if (arg[flen - 1] == '/') {
		snprintf(why, len, "'%.*s' names a directory: pcap:FILE", (int)flen, arg);
		return -1;
	}
	for (item = opt; item; item = item[n] ? item + n : NULL) {
		item++; /* the comma */
		n = strcspn(item, ",");
		if (n < 7 || strncmp(item, "rotate=", 7)) {
			snprintf(why, len, "unknown option '%.*s' (pcap:FILE[,rotate=MB])", (int)n,
				 item);
			return -1;
		}
		if (*limit) {
			snprintf(why, len, "rotate= given twice");
			return -1;
		}
		if (parse_rotate(item + 7, n - 7, limit, why, len))
			return -1;
	}
	if (file) {
		*file = strndup(arg, flen);
		if (!*file) {
			snprintf(why, len, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* filter=EXPR comes last: it is split off before the rest is parsed, and compiled. */
static int dump_check(const char *arg, char *why, size_t len)
{
	const char *fl = arg ? strstr(arg, ",filter=") : NULL;
	char *head = fl ? strndup(arg, (size_t)(fl - arg)) : NULL;
	struct xg_capfilter *f = NULL;
	char msg[XG_MATCH_ERR_MAX];
	uint64_t limit;
	int err;

	if (fl && !head) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	err = parse_arg(fl ? head : arg, NULL, &limit, why, len);
	if (!err && fl && xg_capfilter_open(fl + 8, &f, msg, sizeof(msg))) {
		snprintf(why, len, "filter=%s: %s", fl + 8, msg);
		err = -1;
	}
	xg_capfilter_close(f);
	free(head);
	return err;
}

/* FILE for queue 0; FILE with "-qN" before the extension of its last component else. */
static char *queue_path(const char *file, unsigned int queue)
{
	const char *base = strrchr(file, '/'), *dot;
	char *path;

	if (!queue)
		return strdup(file);
	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	if (!dot || dot == base) /* no extension, or a dot file such as ".pcap" */
		dot = file + strlen(file);
	if (asprintf(&path, "%.*s-q%u%s", (int)(dot - file), file, queue, dot) < 0)
		return NULL;
	return path;
}

/* s->path's directory into s->dirfd (O_PATH: it needs no permission to read it). */
static int open_dir(struct pcap_state *s)
{
	const char *slash = strrchr(s->path, '/');
	char *dir;

	s->base = slash ? slash + 1 : s->path;
	dir = slash ? strndup(s->path, slash == s->path ? 1 : (size_t)(slash - s->path))
		    : strdup(".");
	if (!dir)
		return -ENOMEM;
	s->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		pr_warn("handler pcap: cannot write %s: %s\n", s->path, strerror(errno));
	free(dir);
	return s->dirfd < 0 ? -1 : 0;
}

/* Whether the calling thread could create files in s->dirfd without its capabilities, as
 * a worker will (capabilities are per thread: the effective set is cleared and put back). */
static int creatable_without_caps(const struct pcap_state *s)
{
	cap_t saved = cap_get_proc(), none = saved ? cap_dup(saved) : NULL;
	int err = 0;

	if (!none || cap_clear_flag(none, CAP_EFFECTIVE) || cap_set_proc(none)) {
		err = -errno;
		goto out;
	}
	if (faccessat(s->dirfd, ".", W_OK | X_OK, AT_EACCESS))
		err = -errno;
	if (cap_set_proc(saved) && !err)
		err = -errno;
out:
	cap_free(none);
	cap_free(saved);
	return err;
}

/* rotate=: refuse a directory the worker could not make the next parts in. */
static int check_rotate(const struct pcap_state *s)
{
	struct stat st;
	int err = creatable_without_caps(s);

	if (!err)
		return 0;
	if (fstat(s->dirfd, &st))
		memset(&st, 0, sizeof(st));
	pr_warn("handler pcap: cannot rotate %s: the workers hold no capability and could not "
		"create %s.1 in its directory (owner uid %u, mode %04o: %s); capture into a "
		"directory root owns\n",
		s->path, s->base, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777),
		strerror(-err));
	return -1;
}

/* Open the current part (mode 0600, and made so if it was there). quiet: a retry after a
 * failure already reported. 0 or -errno. */
static int open_part(struct pcap_state *s, bool quiet)
{
	char *name = NULL;
	struct stat st;
	FILE *fp = NULL;
	int fd, err;

	if (s->part && asprintf(&name, "%s.%u", s->base, s->part) < 0)
		return -ENOMEM;
	/* a later part is never followed through a symlink someone else left there */
	fd = openat(s->dirfd, name ? name : s->base,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (s->part ? O_NOFOLLOW : 0), 0600);
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && (st.st_mode & 077))
		(void)fchmod(fd, 0600); /* an old file overwritten: private like a new one */
	if (fd >= 0)
		fp = fdopen(fd, "wb");
	err = errno;
	if (!fp) {
		if (fd >= 0)
			close(fd);
		if (!quiet)
			pr_warn("handler pcap: cannot write %s%s%s: %s\n", s->path, name ? "." : "",
				name ? name + strlen(s->base) + 1 : "", strerror(err));
		free(name);
		return -err;
	}
	/* on failure libpcap closes fp itself */
	s->d = pcap_dump_fopen(s->pd, fp);
	if (!s->d && !quiet)
		pr_warn("handler pcap: cannot write %s%s%s: %s\n", s->path, name ? "." : "",
			name ? name + strlen(s->base) + 1 : "", pcap_geterr(s->pd));
	free(name);
	if (!s->d)
		return -EIO;
	s->fp = fp;
	s->bytes = PCAP_FILE_HDR;
	return 0;
}

/* n frames not captured, for reason err (an errno). */
static void lose(struct pcap_state *s, struct xg_handler_stats *st, uint64_t n, int err)
{
	if (st)
		st->errors += n;
	if (!s->lost) {
		s->lost_errno = err ? err : EIO;
		s->lost_part = s->part;
	}
	s->lost += n;
}

static void close_part(struct pcap_state *s, struct xg_handler_stats *st)
{
	if (!s->d)
		return;
	if (pcap_dump_flush(s->d))
		lose(s, st, 1, errno);
	pcap_dump_close(s->d);
	s->d = NULL;
	s->fp = NULL;
}

static void dump_fini(void *state)
{
	struct pcap_state *s = state;

	if (!s)
		return;
	close_part(s, NULL);
	/* what the capture misses is said once, with the first cause */
	if (s->lost && s->lost_part)
		pr_warn("handler pcap: queue %u: %llu frame%s not captured: %s.%u: %s\n", s->queue,
			(unsigned long long)s->lost, s->lost == 1 ? "" : "s", s->path, s->lost_part,
			strerror(s->lost_errno));
	else if (s->lost)
		pr_warn("handler pcap: queue %u: %llu frame%s not captured: %s: %s\n", s->queue,
			(unsigned long long)s->lost, s->lost == 1 ? "" : "s", s->path,
			strerror(s->lost_errno));
	xg_capfilter_close(s->filter);
	if (s->pd)
		pcap_close(s->pd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->path);
	free(s);
}

static int dump_init(void **state, const char *arg, unsigned int queue, void *ctx)
{
	struct pcap_state *s = calloc(1, sizeof(*s));
	const char *fl = arg ? strstr(arg, ",filter=") : NULL;
	char *file = NULL, *head = fl ? strndup(arg, (size_t)(fl - arg)) : NULL;
	char why[XG_MATCH_ERR_MAX];

	(void)ctx;
	if (s)
		s->dirfd = -1; /* before anything can fail: fini closes it */
	if (!s || (fl && !head)) {
		pr_warn("handler pcap: out of memory\n");
		goto err;
	}
	s->queue = queue;
	if (fl && xg_capfilter_open(fl + 8, &s->filter, why, sizeof(why))) {
		pr_warn("handler pcap: filter=%s: %s\n", fl + 8, why);
		goto err;
	}
	if (parse_arg(fl ? head : arg, &file, &s->limit, why, sizeof(why))) {
		pr_warn("handler pcap: %s\n", why);
		goto err;
	}
	s->path = queue_path(file, queue);
	s->pd = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
	if (!s->path || !s->pd) {
		pr_warn("handler pcap: out of memory\n");
		goto err;
	}
	if (open_dir(s) || (s->limit && check_rotate(s)) || open_part(s, false))
		goto err;
	free(file);
	free(head);
	*state = s;
	return 0;
err:
	free(file);
	free(head);
	dump_fini(s);
	return -1;
}

/* The current file has grown past the limit: go on in the next part. */
static int rotate(struct pcap_state *s, struct xg_handler_stats *st)
{
	int err;

	close_part(s, st);
	s->part++;
	err = open_part(s, s->warned);
	if (err)
		s->warned = true;
	return err;
}

/* One record of the whole packet: a chain's segments gathered in order (a jumbo packet
 * is one record, never one per descriptor). */
static void dump_packet(pcap_dumper_t *d, struct pcap_pkthdr *h, const struct xg_xsk_frame *f)
{
	uint8_t buf[PCAP_SNAPLEN];
	uint32_t i, off;

	if (f->nseg <= 1) {
		h->len = f->len;
		h->caplen = f->len < PCAP_SNAPLEN ? f->len : PCAP_SNAPLEN;
		pcap_dump((u_char *)d, h, f->data);
		return;
	}
	off = f->len < PCAP_SNAPLEN ? f->len : PCAP_SNAPLEN;
	memcpy(buf, f->data, off);
	for (i = 1; i < f->nseg && off < PCAP_SNAPLEN; i++) {
		const struct xg_xsk_frame *sg = &f->seg[i - 1];
		uint32_t n = sg->len < PCAP_SNAPLEN - off ? sg->len : PCAP_SNAPLEN - off;

		memcpy(buf + off, sg->data, n);
		off += n;
	}
	h->len = f->pkt_len;
	h->caplen = off;
	pcap_dump((u_char *)d, h, buf);
}

static void dump_batch(void *state, struct xg_batch *b, struct xg_handler_stats *st)
{
	struct pcap_state *s = state;
	struct pcap_pkthdr h = { 0 };
	struct timespec now;
	unsigned int i;
	int err;

	clock_gettime(CLOCK_REALTIME, &now);
	h.ts.tv_sec = now.tv_sec;
	h.ts.tv_usec = now.tv_nsec / 1000;
	if (!s->d) { /* the last rotation failed: one retry a batch */
		err = open_part(s, true);
		if (err) {
			lose(s, st, b->n, -err);
			return;
		}
	}
	for (i = 0; i < b->n; i++) {
		const struct xg_xsk_frame *f = &b->frames[i];

		if (s->limit && s->bytes > s->limit) {
			err = rotate(s, st);
			if (err) {
				lose(s, st, b->n - i, -err);
				return;
			}
		}
		/* a chain is judged on its first segment, with the whole packet's length */
		if (s->filter && !xg_capfilter_pass(s->filter, f->data, f->len,
						    f->nseg > 1 ? f->pkt_len : f->len)) {
			st->handled++; /* not the filter's: recycled unwritten */
			continue;
		}
		dump_packet(s->d, &h, f); /* action stays XG_ACT_RECYCLE */
		s->bytes += PCAP_REC_HDR + h.caplen;
		if (ferror(s->fp)) {
			lose(s, st, 1, errno);
			clearerr(s->fp);
		} else {
			st->handled++;
		}
	}
	if (now.tv_sec != s->flushed_sec) {
		s->flushed_sec = now.tv_sec;
		if (pcap_dump_flush(s->d)) {
			lose(s, st, 1, errno);
			clearerr(s->fp);
		}
	}
}

const struct xg_handler_ops xg_handler_pcap = {
	.name = "pcap",
	.check = dump_check,
	.init = dump_init,
	.batch = dump_batch,
	.fini = dump_fini,
};

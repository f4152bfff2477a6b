// SPDX-License-Identifier: GPL-2.0
/* pcap: write every frame to a pcap file (libpcap's dump API, Ethernet, microsecond
 * timestamps taken once per batch from CLOCK_REALTIME) and recycle it.
 *
 *   --handler pcap:FILE[,rotate=MB]
 *
 * Files, one per queue so workers share nothing: queue 0 writes FILE itself, queue N > 0
 * writes FILE with "-qN" before the extension (out.pcap -> out-q1.pcap; no extension:
 * out -> out-q1). With rotate=MB, once a file has grown past MB * 10^6 bytes (as
 * tcpdump -C counts) it is closed and writing goes on in "<that file>.1", then ".2", ...:
 * out.pcap, out.pcap.1, out.pcap.2; out-q1.pcap, out-q1.pcap.1. Existing files are
 * overwritten. A comma followed by something without '=' is part of the file name.
 *
 * Writes go through stdio: a failure shows when a buffer is written out, so `errors`
 * counts the frame during which stdio reported it (and a failed flush), not every frame
 * lost with that buffer. The stream is flushed about once a second and at fini. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* pcap/bpf.h and linux/bpf.h (through xdp/xsk.h) both define struct bpf_insn: keep
 * libpcap's under another name, nothing here uses it. */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn

#include "user/pool/handler.h"
#include "user/util/log.h"

#define PCAP_SNAPLEN 65535
#define PCAP_FILE_HDR 24 /* struct pcap_file_header */
#define PCAP_REC_HDR 16	 /* the on-disk record header (32-bit seconds and microseconds) */
#define ROTATE_MB_MAX 1000000

struct pcap_state {
	pcap_t *pd;	    /* a dead handle: only describes the link type */
	pcap_dumper_t *d;   /* NULL after a rotation failed to open the next file */
	FILE *fp;	    /* d's stream, for ferror() */
	char *path;	    /* this queue's file */
	unsigned int part;  /* 0: path itself; k: path.k */
	uint64_t limit;	    /* bytes; 0: never rotate */
	uint64_t bytes;	    /* in the current file */
	time_t flushed_sec; /* CLOCK_REALTIME second of the last flush */
	bool warned;	    /* a failed reopen is reported once */
};

/* Split "FILE[,rotate=MB]". 0, or -1 after one error line. */
static int parse_arg(const char *arg, char **file, uint64_t *limit)
{
	const char *comma = arg ? strrchr(arg, ',') : NULL;
	size_t flen = arg ? strlen(arg) : 0;
	unsigned long long mb;
	char *end;

	*limit = 0;
	if (comma && strchr(comma + 1, '=')) {
		flen = (size_t)(comma - arg);
		if (strncmp(comma + 1, "rotate=", 7)) {
			pr_warn("handler pcap: unknown option '%s' (FILE[,rotate=MB])\n",
				comma + 1);
			return -1;
		}
		errno = 0;
		mb = strtoull(comma + 8, &end, 10);
		if (errno || end == comma + 8 || *end || comma[8] == '-' || !mb ||
		    mb > ROTATE_MB_MAX) {
			pr_warn("handler pcap: rotate=%s is not a size in MB (1 to %d)\n",
				comma + 8, ROTATE_MB_MAX);
			return -1;
		}
		*limit = mb * 1000000ULL;
	}
	if (!flen) {
		pr_warn("handler pcap needs a file: --handler pcap:FILE\n");
		return -1;
	}
	*file = strndup(arg, flen);
	return *file ? 0 : -1;
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

/* Open the current part. quiet: a retry after a failure already reported. */
static int open_part(struct pcap_state *s, bool quiet)
{
	char *name = NULL;
	FILE *fp;

	if (s->part && asprintf(&name, "%s.%u", s->path, s->part) < 0)
		return -1;
	fp = fopen(name ? name : s->path, "wb");
	if (!fp) {
		if (!quiet)
			pr_warn("handler pcap: cannot write %s: %s\n", name ? name : s->path,
				strerror(errno));
		free(name);
		return -1;
	}
	/* on failure libpcap closes fp itself */
	s->d = pcap_dump_fopen(s->pd, fp);
	if (!s->d) {
		if (!quiet)
			pr_warn("handler pcap: cannot write %s: %s\n", name ? name : s->path,
				pcap_geterr(s->pd));
		free(name);
		return -1;
	}
	free(name);
	s->fp = fp;
	s->bytes = PCAP_FILE_HDR;
	return 0;
}

static void close_part(struct pcap_state *s, struct xg_handler_stats *st)
{
	if (!s->d)
		return;
	if (pcap_dump_flush(s->d) && st)
		st->errors++;
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
	if (s->pd)
		pcap_close(s->pd);
	free(s->path);
	free(s);
}

static int dump_init(void **state, const char *arg, unsigned int queue, void *ctx)
{
	struct pcap_state *s = calloc(1, sizeof(*s));
	char *file = NULL;

	(void)ctx;
	if (!s || parse_arg(arg, &file, &s->limit))
		goto err;
	s->path = queue_path(file, queue);
	s->pd = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
	if (!s->path || !s->pd) {
		pr_warn("handler pcap: out of memory\n");
		goto err;
	}
	if (open_part(s, false))
		goto err;
	free(file);
	*state = s;
	return 0;
err:
	free(file);
	dump_fini(s);
	return -1;
}

/* The current file has grown past the limit: go on in the next part. */
static void rotate(struct pcap_state *s, struct xg_handler_stats *st)
{
	close_part(s, st);
	s->part++;
	if (open_part(s, s->warned))
		s->warned = true;
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

	clock_gettime(CLOCK_REALTIME, &now);
	h.ts.tv_sec = now.tv_sec;
	h.ts.tv_usec = now.tv_nsec / 1000;
	if (!s->d && open_part(s, true)) { /* the last rotation failed: one retry a batch */
		st->errors += b->n;
		return;
	}
	for (i = 0; i < b->n; i++) {
		const struct xg_xsk_frame *f = &b->frames[i];

		if (s->limit && s->bytes > s->limit) {
			rotate(s, st);
			if (!s->d) {
				st->errors += b->n - i;
				return;
			}
		}
		dump_packet(s->d, &h, f); /* action stays XG_ACT_RECYCLE */
		s->bytes += PCAP_REC_HDR + h.caplen;
		if (ferror(s->fp)) {
			st->errors++;
			clearerr(s->fp);
		} else {
			st->handled++;
		}
	}
	if (now.tv_sec != s->flushed_sec) {
		s->flushed_sec = now.tv_sec;
		if (pcap_dump_flush(s->d)) {
			st->errors++;
			clearerr(s->fp);
		}
	}
}

const struct xg_handler_ops xg_handler_pcap = {
	.name = "pcap",
	.init = dump_init,
	.batch = dump_batch,
	.fini = dump_fini,
};

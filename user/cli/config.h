/* SPDX-License-Identifier: GPL-2.0 */
/* The config file: INI read by libinih. An `[interface NAME]` section per interface holds
 * that interface's settings under the names of `run`'s long options (handler, wait, queues,
 * mode, rules, ...), applied through the same option table, so a key and its option are
 * one definition; `[metrics]` has `listen = ADDR:PORT`, `[log]` has `level` and `json`.
 *
 * Loading never prints and never touches the system: the first error is returned as one
 * line "FILE:LINE: key 'KEY': what" for the caller to print, and nothing is kept. */
#ifndef XG_CONFIG_H
#define XG_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "user/cli/opts.h"

#define XG_CONF_MAX_IFACES 16
/* Bytes in a config file: a regular file of at most this much is read (a FIFO or a device
 * is refused); lines are inih's (at most 198 characters), leading blanks are not part of
 * a line (no continuation lines), and a NUL byte is refused. */
#define XG_CONF_FILE_MAX (1 << 20)

/* What an interface section may say: the command's option table, the names allowed from it
 * (NULL-terminated), and the command's config struct with its defaults. */
struct xg_conf_schema {
	const struct xg_opt *opts;
	const char *const *keys;
	size_t cfg_size;
	void (*defaults)(void *cfg);
	/* Optional: after key was stored in cfg, what is wrong with it beyond its type (in
	 * why), or 0. */
	int (*check)(const void *cfg, const char *key, char *why, size_t len);
};

struct xg_conf_iface {
	char name[IF_NAMESIZE];
	unsigned int line;	 /* of its first key */
	void *cfg;		 /* schema->cfg_size bytes, defaults then the file's keys */
	unsigned long long seen; /* keys set, by index in the option table (< 64) */
};

struct xg_conf {
	const char *path;
	const struct xg_conf_schema *schema;
	struct xg_conf_iface ifaces[XG_CONF_MAX_IFACES];
	unsigned int nifaces;
	bool has_metrics;
	struct sockaddr_in metrics; /* [metrics] listen */
	int log_level;		    /* enum xg_log_level; XG_LOG_INFO unless [log] level says */
	bool log_json;		    /* [log] json = yes: JSON log lines */
	unsigned int seen_global;   /* [metrics]/[log] keys already set */
	char **strs;		    /* values that string options point to */
	size_t nstrs;
	char err[512];
};

/* Read path into c (c->path keeps pointing at path). 0, or -1 with the first error in
 * c->err and nothing kept. */
int xg_conf_load(const char *path, const struct xg_conf_schema *schema, struct xg_conf *c);
void xg_conf_free(struct xg_conf *c);
/* The section of interface name; NULL when the file has none. */
const struct xg_conf_iface *xg_conf_find(const struct xg_conf *c, const char *name);
/* The value of string key (an XG_OPT_STRING of the schema) in ifc; NULL when unset. */
const char *xg_conf_string(const struct xg_conf *c, const struct xg_conf_iface *ifc,
			   const char *key);
/* The value of enum key (an XG_OPT_ENUM of the schema) in ifc, its default when unset, into
 * *out. 0, or -1 when key is no enum of the schema. */
int xg_conf_enum(const struct xg_conf *c, const struct xg_conf_iface *ifc, const char *key,
		 int *out);
/* The value of number key (an XG_OPT_UINT of the schema) in ifc, its default when unset; 0
 * when key is no such number. */
unsigned int xg_conf_uint(const struct xg_conf *c, const struct xg_conf_iface *ifc,
			  const char *key);
/* The section a command works on: name's, or with name NULL the file's only one. NULL
 * after one line (starting with cmd) when there is none. */
const struct xg_conf_iface *xg_conf_pick(const struct xg_conf *c, const char *cmd,
					 const char *name);
/* [log]: the level, and JSON lines when json = yes. */
void xg_conf_apply_log(const struct xg_conf *c);
/* "A.B.C.D:PORT" into *sa (IPv4; PORT 1..65535). 0 or -1. */
int xg_conf_parse_listen(const char *s, struct sockaddr_in *sa);

#endif

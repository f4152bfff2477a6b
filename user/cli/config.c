// SPDX-License-Identifier: GPL-2.0
/* The config file through libinih: the handler below sees one key at a time, checks it at
 * once and, on the first error, records "FILE:LINE: ..." and returns 0, which makes
 * ini_parse() return that line; later errors are not recorded, so the message is the
 * first one. inih reports a syntax error (a line that is neither a section, a key nor a
 * comment) by its line alone.
 *
 * The lines reach inih through read_line below, which holds what inih cannot tell: a line
 * longer than inih's buffer (inih would take its rest for another line), a NUL byte (it
 * would cut the value there), a second [interface NAME] section of one name (inih does
 * not report sections), and leading blanks, which it drops: an indented line would be a
 * continuation of the previous key's value to inih, so "set twice". */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/cli/config.h"
#include "user/util/log.h"
#include "user/util/regfile.h"

#define SEEN_LOG_LEVEL 2 /* seen_global: [log] level was given */

static const struct xg_opt_enum log_levels[] = {
	{ "warn", XG_LOG_WARN },
	{ "info", XG_LOG_INFO },
	{ "lib", XG_LOG_LIB },
	{ "debug", XG_LOG_DEBUG },
	{ NULL, 0 },
};

/* Debian's inih passes no line numbers to the handler (INI_HANDLER_LINENO is 0), so the
 * reader counts the lines: when the handler runs, line is the line of its key. */
struct pstate {
	struct xg_conf *c;
	FILE *f;
	unsigned int line, err_line;
	size_t total; /* bytes read */
	int read_errno;
	struct {
		char name[IF_NAMESIZE + 16]; /* longer: not an interface name, said at its key */
		unsigned int line;
	} sect[XG_CONF_MAX_IFACES]; /* [interface NAME] sections seen, for repeats */
	unsigned int nsect;
};

#define FAIL(st, ...)                                                              \
	do {                                                                       \
		if (!(st)->err_line) {                                             \
			snprintf((st)->c->err, sizeof((st)->c->err), __VA_ARGS__); \
			(st)->err_line = (st)->line;                               \
		}                                                                  \
		return 0;                                                          \
	} while (0)

int xg_conf_parse_listen(const char *s, struct sockaddr_in *sa)
{
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	unsigned long port;
	char *end;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 1 || port > 65535 || colon[1] == '-')
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static const struct xg_opt *iface_opt(const struct xg_conf_schema *s, const char *key, int *idx)
{
	const struct xg_opt *o;
	size_t i;

	for (i = 0; s->keys[i]; i++)
		if (!strcmp(s->keys[i], key))
			break;
	if (!s->keys[i])
		return NULL;
	for (o = s->opts; o->name && o - s->opts < 64; o++)
		if (!strcmp(o->name, key)) {
			*idx = (int)(o - s->opts);
			return o;
		}
	return NULL;
}

static struct xg_conf_iface *iface_get(struct pstate *st, const char *name)
{
	struct xg_conf *c = st->c;
	struct xg_conf_iface *ifc;
	unsigned int i;

	for (i = 0; i < c->nifaces; i++)
		if (!strcmp(c->ifaces[i].name, name))
			return &c->ifaces[i];
	if (c->nifaces == XG_CONF_MAX_IFACES)
		return NULL;
	ifc = &c->ifaces[c->nifaces];
	ifc->cfg = calloc(1, c->schema->cfg_size);
	if (!ifc->cfg)
		return NULL;
	if (c->schema->defaults)
		c->schema->defaults(ifc->cfg);
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	c->nifaces++;
	return ifc;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static int check_key(struct pstate *st, struct xg_conf_iface *ifc, const char *key);

/* A FILE value as the config file means it: a relative path is taken from the config file's
 * own directory (as a rule file's set files are from the rule file's), so a config and its
 * rule files move together and the service's working directory does not matter. */
static char *conf_path(const char *conf, const struct xg_opt *o, const char *val)
{
	const char *slash = strrchr(conf, '/');
	size_t len;
	char *out;

	if (!o->metavar || strcmp(o->metavar, "FILE") || val[0] == '/' || !val[0] || !slash)
		return strdup(val);
	len = (size_t)(slash - conf) + 1 + strlen(val) + 1;
	out = malloc(len);
	if (out)
		snprintf(out, len, "%.*s/%s", (int)(slash - conf), conf, val);
	return out;
}

static int iface_key(struct pstate *st, const char *name, const char *key, const char *val)
{
	struct xg_conf *c = st->c;
	struct xg_conf_iface *ifc;
	const struct xg_opt *o;
	char why[400], *dup, **strs;
	int idx;

	if (!name[0] || strlen(name) >= IF_NAMESIZE || strchr(name, ' '))
		FAIL(st, "%s:%u: [interface %s]: not an interface name", c->path, st->line, name);
	o = iface_opt(c->schema, key, &idx);
	if (!o)
		FAIL(st, "%s:%u: key '%s': unknown key in [interface %s]", c->path, st->line, key,
		     name);
	ifc = iface_get(st, name);
	if (!ifc)
		FAIL(st, "%s:%u: [interface %s]: too many interfaces (at most %d)", c->path,
		     st->line, name, XG_CONF_MAX_IFACES);
	if (!ifc->line)
		ifc->line = st->line;
	if (ifc->seen & (1ULL << idx))
		FAIL(st, "%s:%u: key '%s': set twice in [interface %s]", c->path, st->line, key,
		     name);
	ifc->seen |= 1ULL << idx;
	if (o->type == XG_OPT_FLAG) {
		if (parse_bool(val, (bool *)((char *)ifc->cfg + o->offset)))
			FAIL(st, "%s:%u: key '%s': invalid value '%s' (expected yes or no)",
			     c->path, st->line, key, val);
		return check_key(st, ifc, key);
	}
	dup = conf_path(c->path, o, val); /* string options keep pointing at their value */
	strs = dup ? realloc(c->strs, (c->nstrs + 1) * sizeof(*strs)) : NULL;
	if (!strs) {
		free(dup);
		FAIL(st, "%s:%u: key '%s': out of memory", c->path, st->line, key);
	}
	c->strs = strs;
	c->strs[c->nstrs++] = dup;
	if (!val[0] || xg_opt_parse_value(o, ifc->cfg, dup, why, sizeof(why)))
		FAIL(st, "%s:%u: key '%s': %s", c->path, st->line, key,
		     val[0] ? why : "empty value");
	return check_key(st, ifc, key);
}

static int check_key(struct pstate *st, struct xg_conf_iface *ifc, const char *key)
{
	char why[400];

	if (st->c->schema->check && st->c->schema->check(ifc->cfg, key, why, sizeof(why)))
		FAIL(st, "%s:%u: key '%s': %s", st->c->path, st->line, key, why);
	return 1;
}

static int global_key(struct pstate *st, const char *section, const char *key, const char *val)
{
	struct xg_conf *c = st->c;
	unsigned int bit;
	const struct xg_opt_enum *e;

	if (!strcmp(section, "metrics") && !strcmp(key, "listen")) {
		bit = 1;
		if (xg_conf_parse_listen(val, &c->metrics))
			FAIL(st,
			     "%s:%u: key 'listen': '%s' is not ADDR:PORT (IPv4, like "
			     "127.0.0.1:9464)",
			     c->path, st->line, val);
		c->has_metrics = true;
	} else if (!strcmp(section, "log") && !strcmp(key, "level")) {
		bit = SEEN_LOG_LEVEL;
		for (e = log_levels; e->name && strcmp(e->name, val); e++)
			;
		if (!e->name)
			FAIL(st,
			     "%s:%u: key 'level': unknown value '%s' (expected warn, info, "
			     "lib or debug)",
			     c->path, st->line, val);
		c->log_level = e->value;
	} else if (!strcmp(section, "log") && !strcmp(key, "json")) {
		bit = 4;
		if (parse_bool(val, &c->log_json))
			FAIL(st, "%s:%u: key 'json': invalid value '%s' (expected yes or no)",
			     c->path, st->line, val);
	} else {
		FAIL(st, "%s:%u: key '%s': unknown key in [%s]", c->path, st->line, key, section);
	}
	if (c->seen_global & bit)
		FAIL(st, "%s:%u: key '%s': set twice in [%s]", c->path, st->line, key, section);
	c->seen_global |= bit;
	return 1;
}

static int on_key(void *user, const char *section, const char *key, const char *val)
{
	struct pstate *st = user;

	if (st->err_line)
		return 0; /* only the first error counts */
	if (!strncmp(section, "interface ", 10))
		return iface_key(st, section + 10, key, val);
	if (!strcmp(section, "interface"))
		FAIL(st, "%s:%u: [interface]: the section needs a name, like [interface eth0]",
		     st->c->path, st->line);
	if (!strcmp(section, "metrics") || !strcmp(section, "log"))
		return global_key(st, section, key, val);
	if (!section[0])
		FAIL(st, "%s:%u: key '%s': outside any section", st->c->path, st->line, key);
	FAIL(st, "%s:%u: [%s]: unknown section (interface NAME, metrics, log)", st->c->path,
	     st->line, section);
}

/* The reader's own complaint about the current line: inih is then told the file ended. */
#define READ_FAIL(st, ...)                                                         \
	do {                                                                       \
		if (!(st)->err_line) {                                             \
			snprintf((st)->c->err, sizeof((st)->c->err), __VA_ARGS__); \
			(st)->err_line = (st)->line;                               \
		}                                                                  \
		return NULL;                                                       \
	} while (0)

/* An [interface NAME] line (blanks already cut): refuse a name seen before. 0 or -1. */
static int section_seen(struct pstate *st, const char *line)
{
	const char *end = strchr(line, ']');
	size_t n;
	unsigned int i;

	if (line[0] != '[' || !end || strncmp(line + 1, "interface ", 10))
		return 0;
	n = (size_t)(end - line - 11);
	if (n >= sizeof(st->sect[0].name))
		return 0;
	for (i = 0; i < st->nsect; i++)
		if (strlen(st->sect[i].name) == n && !memcmp(st->sect[i].name, line + 11, n)) {
			snprintf(st->c->err, sizeof(st->c->err),
				 "%s:%u: [interface %s]: a second section for it (the first is at "
				 "line %u): one section an interface",
				 st->c->path, st->line, st->sect[i].name, st->sect[i].line);
			st->err_line = st->line;
			return -1;
		}
	if (st->nsect < XG_CONF_MAX_IFACES) { /* more: too many interfaces, said at a key */
		memcpy(st->sect[st->nsect].name, line + 11, n);
		st->sect[st->nsect].name[n] = '\0';
		st->sect[st->nsect++].line = st->line;
	}
	return 0;
}

/* One line for inih, its leading blanks cut; NULL at the end, or after an error. */
static char *read_line(char *buf, int size, void *user)
{
	struct pstate *st = user;
	size_t n = 0;
	bool lead = true, nul = false;
	int ch;

	if (st->err_line || feof(st->f))
		return NULL;
	while ((ch = getc(st->f)) != EOF && ch != '\n') {
		if (++st->total > XG_CONF_FILE_MAX)
			READ_FAIL(st, "%s: more than %d bytes, the most a config file holds",
				  st->c->path, XG_CONF_FILE_MAX);
		if (lead && (ch == ' ' || ch == '\t'))
			continue;
		lead = false;
		nul |= !ch;
		if (n + 2 < (size_t)size) /* room for "\n" and the NUL */
			buf[n] = (char)ch;
		n++;
	}
	if (ch == EOF && ferror(st->f)) {
		st->read_errno = errno;
		return NULL;
	}
	if (ch == EOF && !n && lead)
		return NULL;
	st->line++;
	if (n + 2 > (size_t)size)
		READ_FAIL(st, "%s:%u: line too long (%zu characters, at most %d)", st->c->path,
			  st->line, n, size - 2);
	if (nul)
		READ_FAIL(st, "%s:%u: a NUL byte in the line", st->c->path, st->line);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	if (section_seen(st, buf))
		return NULL;
	return buf;
}

void xg_conf_free(struct xg_conf *c)
{
	size_t i;

	for (i = 0; i < c->nifaces; i++)
		free(c->ifaces[i].cfg);
	for (i = 0; i < c->nstrs; i++)
		free(c->strs[i]);
	free(c->strs);
	c->nifaces = 0;
	c->nstrs = 0;
	c->strs = NULL;
}

int xg_conf_load(const char *path, const struct xg_conf_schema *schema, struct xg_conf *c)
{
	struct pstate st = { .c = c };
	int ret;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->schema = schema;
	c->log_level = XG_LOG_INFO;
	st.f = xg_regfile_open(path, XG_CONF_FILE_MAX, c->err, sizeof(c->err));
	if (!st.f)
		return -1;
	ret = ini_parse_stream(read_line, &st, on_key, &st);
	fclose(st.f);
	if (ret > 0 && (!st.err_line || (unsigned int)ret < st.err_line)) {
		/* inih's own complaint, before any of ours */
		snprintf(c->err, sizeof(c->err),
			 "%s:%d: syntax error (expected [section], key = value or a comment)", path,
			 ret);
	} else if (st.err_line) {
		ret = -1; /* ours, in c->err */
	} else if (st.read_errno) {
		snprintf(c->err, sizeof(c->err), "%s: cannot read: %s", path,
			 strerror(st.read_errno));
		ret = -1;
	} else if (ret == 0 && !c->nifaces) {
		snprintf(c->err, sizeof(c->err), "%s: no [interface NAME] section", path);
		ret = -1;
	} else if (ret < 0 && !st.err_line) {
		snprintf(c->err, sizeof(c->err), "%s: out of memory", path);
	}
	if (!ret)
		return 0;
	xg_conf_free(c);
	return -1;
}

const struct xg_conf_iface *xg_conf_find(const struct xg_conf *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nifaces; i++)
		if (!strcmp(c->ifaces[i].name, name))
			return &c->ifaces[i];
	return NULL;
}

const char *xg_conf_string(const struct xg_conf *c, const struct xg_conf_iface *ifc,
			   const char *key)
{
	const struct xg_opt *o;
	int idx;

	o = iface_opt(c->schema, key, &idx);
	if (!o || o->type != XG_OPT_STRING)
		return NULL;
	return *(const char *const *)((const char *)ifc->cfg + o->offset);
}

int xg_conf_enum(const struct xg_conf *c, const struct xg_conf_iface *ifc, const char *key,
		 int *out)
{
	const struct xg_opt *o;
	int idx;

	o = iface_opt(c->schema, key, &idx);
	if (!o || o->type != XG_OPT_ENUM)
		return -1;
	memcpy(out, (const char *)ifc->cfg + o->offset, sizeof(*out));
	return 0;
}

unsigned int xg_conf_uint(const struct xg_conf *c, const struct xg_conf_iface *ifc, const char *key)
{
	const struct xg_opt *o;
	unsigned int v;
	int idx;

	o = iface_opt(c->schema, key, &idx);
	if (!o || o->type != XG_OPT_UINT)
		return 0;
	memcpy(&v, (const char *)ifc->cfg + o->offset, sizeof(v));
	return v;
}

const struct xg_conf_iface *xg_conf_pick(const struct xg_conf *c, const char *cmd, const char *name)
{
	const struct xg_conf_iface *ifc;

	if (name)
		ifc = xg_conf_find(c, name);
	else
		ifc = c->nifaces == 1 ? &c->ifaces[0] : NULL;
	if (ifc)
		return ifc;
	if (name)
		pr_warn("%s: %s: no [interface %s] section\n", cmd, c->path, name);
	else
		pr_warn("%s: %s: %u interfaces: name the one to %s\n", cmd, c->path, c->nifaces,
			cmd);
	return NULL;
}

void xg_conf_apply_log(const struct xg_conf *c)
{
	if (c->seen_global & SEEN_LOG_LEVEL) /* else -v / -vv of the command line stand */
		xg_log_set_level(c->log_level);
	if (c->log_json)
		xg_log_set_json(true); /* --log-json may have set it already */
}

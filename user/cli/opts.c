// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "user/util/log.h"
#include "user/cli/opts.h"
#include "user/cli/help.h"
#include "user/util/netdev.h"

#define XG_MAX_OPTS 64

static size_t count_opts(const struct xg_opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].name)
		n++;
	return n;
}

static void enum_choices(const struct xg_opt_enum *v, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; v && v->name && off < len; v++)
		off += snprintf(buf + off, len - off, "%s%s", off ? "|" : "", v->name);
}

const char *xg_opt_enum_name(const struct xg_opt_enum *vals, int value)
{
	for (; vals && vals->name; vals++)
		if (vals->value == value)
			return vals->name;
	return "?";
}

/* A decimal or 0x number in [min, max] (max 0: below 2^32), with nothing after it. */
static int parse_num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s)) /* strtoul would skip spaces and take a sign */
		return -EINVAL;
	v = strtoul(s, &end, 0);
	if (errno || *end || v < min || (max && v > max) || v > 0xffffffffUL)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u64(const struct xg_opt *o, const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < o->min)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_enum(const struct xg_opt *o, const char *s, int *out)
{
	const struct xg_opt_enum *v;

	for (v = o->enum_vals; v && v->name; v++) {
		if (!strcmp(v->name, s)) {
			*out = v->value;
			return 0;
		}
	}
	return -EINVAL;
}

/* One queue number of a list, decimal, at most max; *s moves past it. */
static int parse_queue(const char **s, unsigned long max, unsigned long *q)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return -EINVAL;
	errno = 0;
	*q = strtoul(*s, &end, 10);
	if (errno || *q > max)
		return -ERANGE;
	*s = end;
	return 0;
}

/* "all", or numbers and ranges like 0,2-3; each queue once. */
static int parse_queues(const struct xg_opt *o, const char *arg, struct xg_opt_queues *out,
			char *why, size_t len)
{
	unsigned long max = o->max ? o->max : 0xffffffffUL, lo, hi, q;
	const char *s = arg;
	unsigned int i;
	int err;

	out->n = 0;
	if (!strcmp(arg, "all"))
		return 0;
	do {
		err = parse_queue(&s, max, &lo);
		hi = lo;
		if (!err && *s == '-') {
			s++;
			err = parse_queue(&s, max, &hi);
		}
		if (!err && (hi < lo || (*s && *s != ',')))
			err = -EINVAL;
		if (err == -ERANGE) {
			snprintf(why, len,
				 "'%s' names a queue above %lu (queues 0-%lu can be served)", arg,
				 max, max);
			return -EINVAL;
		}
		if (err)
			goto bad;
		for (q = lo; q <= hi; q++) {
			for (i = 0; i < out->n; i++) {
				if (out->q[i] == q) {
					snprintf(why, len, "'%s' names queue %lu twice", arg, q);
					return -EINVAL;
				}
			}
			if (out->n == XG_OPT_QUEUES_MAX) {
				snprintf(why, len, "'%s' names more than %d queues", arg,
					 XG_OPT_QUEUES_MAX);
				return -EINVAL;
			}
			out->q[out->n++] = (unsigned int)q;
		}
	} while (*s++ == ',');
	return 0;
bad:
	snprintf(why, len, "'%s' is not 'all' or a list like 0,2-3", arg);
	return -EINVAL;
}

/* Store one value in its field; on failure say why (after "cmd: --name: ") in why. */
int xg_opt_parse_value(const struct xg_opt *o, void *cfg, const char *arg, char *why, size_t len)
{
	char *field = (char *)cfg + o->offset;
	char choices[256];
	unsigned long v;

	switch (o->type) {
	case XG_OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case XG_OPT_COUNT:
		(*(int *)field)++;
		return 0;
	case XG_OPT_STRING:
		*(const char **)field = arg;
		return 0;
	case XG_OPT_UINT:
		if (!parse_num(arg, o->min, o->max, &v)) {
			*(unsigned int *)field = (unsigned int)v;
			return 0;
		}
		if (o->max)
			snprintf(why, len, "invalid value '%s' (expected %lu..%lu)", arg, o->min,
				 o->max);
		else
			snprintf(why, len, "invalid value '%s' (expected a number >= %lu)", arg,
				 o->min);
		return -EINVAL;
	case XG_OPT_U64:
		if (!parse_u64(o, arg, (uint64_t *)field))
			return 0;
		snprintf(why, len, "invalid value '%s' (expected a number >= %lu)", arg, o->min);
		return -EINVAL;
	case XG_OPT_DOUBLE:
		if (!parse_double(arg, (double *)field))
			return 0;
		snprintf(why, len, "invalid value '%s' (expected a positive number)", arg);
		return -EINVAL;
	case XG_OPT_ENUM:
		if (!parse_enum(o, arg, (int *)field))
			return 0;
		enum_choices(o->enum_vals, choices, sizeof(choices));
		snprintf(why, len, "unknown value '%s' (expected %s)", arg, choices);
		return -EINVAL;
	case XG_OPT_IFACE:
		if (strlen(arg) < IF_NAMESIZE && if_nametoindex(arg)) {
			*(const char **)field = arg;
			return 0;
		}
		snprintf(why, len, "no such interface '%s'", arg);
		return -EINVAL;
	case XG_OPT_MAC:
		if (!xg_parse_mac(arg, ((struct xg_opt_mac *)field)->addr)) {
			((struct xg_opt_mac *)field)->set = true;
			return 0;
		}
		snprintf(why, len, "'%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", arg);
		return -EINVAL;
	case XG_OPT_QUEUES:
		return parse_queues(o, arg, (struct xg_opt_queues *)field, why, len);
	case XG_OPT_RULE:
		/* decimal only, as `rules list` numbers them: no 0x, and no octal 010 */
		if (arg[strspn(arg, "0123456789")] == '\0' && arg[0] != '0' &&
		    !parse_num(arg, 1, o->max, &v)) {
			*(unsigned int *)field = (unsigned int)v;
			return 0;
		}
		if (o->max)
			snprintf(why, len, "'%s' is not a rule number (1..%lu)", arg, o->max);
		else
			snprintf(why, len, "'%s' is not a rule number (1, 2, ...)", arg);
		return -EINVAL;
	}
	snprintf(why, len, "option kind %d unknown", (int)o->type);
	return -EINVAL;
}

int xg_opt_parse_arg(const char *cmd, const struct xg_opt *o, void *cfg, const char *arg)
{
	char why[512];

	if (!xg_opt_parse_value(o, cfg, arg, why, sizeof(why)))
		return 0;
	if (o->positional)
		pr_warn("%s: %s: %s\n", cmd, o->metavar ? o->metavar : o->name, why);
	else
		pr_warn("%s: --%s: %s\n", cmd, o->name, why);
	return -EINVAL;
}

static void report_bad_option(const struct xg_cmd *cmd, char **argv, int optopt_ch)
{
	const char *arg = argv[optind - 1];

	if (optopt_ch && !strchr(arg, '=') && arg[1] != '-')
		pr_warn("%s: unknown option '-%c' (see 'xdpgate %s --help')\n", cmd->name,
			optopt_ch, cmd->name);
	else
		pr_warn("%s: unknown option or missing value '%s' (see 'xdpgate %s --help')\n",
			cmd->name, arg, cmd->name);
}

int xg_opts_parse(const struct xg_cmd *cmd, void *cfg, int argc, char **argv, FILE *out)
{
	struct option lopts[2 * XG_MAX_OPTS + 2];
	char shorts[2 * XG_MAX_OPTS + 4] = ":h";
	size_t i, n = count_opts(cmd->opts), s = strlen(shorts), nl;
	int c, idx;

	if (n > XG_MAX_OPTS)
		return -1;
	for (i = 0; i < n; i++) {
		const struct xg_opt *o = &cmd->opts[i];
		int has_arg = (o->type == XG_OPT_FLAG || o->type == XG_OPT_COUNT)
				      ? no_argument
				      : required_argument;

		lopts[i] = (struct option){ o->name, has_arg, NULL, 256 + (int)i };
		if (o->short_name) {
			shorts[s++] = o->short_name;
			if (has_arg == required_argument)
				shorts[s++] = ':';
		}
	}
	shorts[s] = '\0';
	for (i = 0, nl = n; i < n; i++) /* an alias returns its option's code */
		if (cmd->opts[i].alias)
			lopts[nl++] = (struct option){ cmd->opts[i].alias, lopts[i].has_arg, NULL,
						       256 + (int)i };
	lopts[nl] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[nl + 1] = (struct option){ NULL, 0, NULL, 0 };

	optind = 0; /* full reset: glibc re-initialises, so the parser can run again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, &idx)) != -1) {
		const struct xg_opt *o = NULL;

		if (c == 'h') {
			xg_opts_usage(cmd, out);
			return XG_OPTS_HELP;
		}
		if (c == '?' || c == ':') {
			report_bad_option(cmd, argv, optopt);
			return -1;
		}
		if (c >= 256)
			o = &cmd->opts[c - 256];
		for (i = 0; !o && i < n; i++)
			if (cmd->opts[i].short_name == c)
				o = &cmd->opts[i];
		if (!o || xg_opt_parse_arg(cmd->name, o, cfg, optarg))
			return -1;
	}
	if (argc - optind < cmd->min_args) {
		pr_warn("%s: missing %s (usage: xdpgate %s %s)\n", cmd->name, cmd->args, cmd->name,
			cmd->args);
		return -1;
	}
	if (argc - optind > cmd->max_args) {
		pr_warn("%s: unexpected argument '%s'\n", cmd->name, argv[optind + cmd->max_args]);
		return -1;
	}
	return optind;
}

void xg_opts_usage(const struct xg_cmd *cmd, FILE *out)
{
	const struct xg_opt *o;
	char choices[256], lhs[320];
	int width = xg_help_width(out);

	fprintf(out, "Usage: xdpgate %s [OPTIONS] %s\n\n", cmd->name, cmd->args);
	xg_help_lines(out, width, cmd->summary);
	fprintf(out, "\nOptions:\n");
	for (o = cmd->opts; o && o->name; o++) {
		const char *mv = o->metavar;

		if (o->type == XG_OPT_ENUM) {
			enum_choices(o->enum_vals, choices, sizeof(choices));
			mv = choices;
		}
		snprintf(lhs, sizeof(lhs), "%s%c%s--%s%s%s", o->short_name ? "-" : "",
			 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
			 mv ? " " : "", mv ? mv : "");
		xg_help_item(out, width, lhs, o->help, 35);
	}
	xg_help_item(out, width, "-h, --help", "show this help", 35);
}

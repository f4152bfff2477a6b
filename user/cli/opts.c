// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "user/util/log.h"
#include "user/cli/opts.h"

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

static int parse_uint(const struct xg_opt *o, const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -EINVAL;
	v = strtoul(s, &end, 0);
	if (errno || *end || v < o->min || (o->max && v > o->max) || v > 0xffffffffUL)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int parse_u64(const struct xg_opt *o, const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!*s || *s == '-')
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

/* Store one option's value; prints the error line itself. */
static int apply_opt(const struct xg_cmd *cmd, const struct xg_opt *o, void *cfg, const char *arg)
{
	char *field = (char *)cfg + o->offset;
	char choices[256];
	int err = 0;

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
		err = parse_uint(o, arg, (unsigned int *)field);
		if (err && o->max)
			pr_warn("%s: --%s: invalid value '%s' (expected %lu..%lu)\n", cmd->name,
				o->name, arg, o->min, o->max);
		else if (err)
			pr_warn("%s: --%s: invalid value '%s' (expected a number >= %lu)\n",
				cmd->name, o->name, arg, o->min);
		return err;
	case XG_OPT_U64:
		err = parse_u64(o, arg, (uint64_t *)field);
		if (err)
			pr_warn("%s: --%s: invalid value '%s' (expected a number >= %lu)\n",
				cmd->name, o->name, arg, o->min);
		return err;
	case XG_OPT_DOUBLE:
		err = parse_double(arg, (double *)field);
		if (err)
			pr_warn("%s: --%s: invalid value '%s' (expected a positive number)\n",
				cmd->name, o->name, arg);
		return err;
	case XG_OPT_ENUM:
		err = parse_enum(o, arg, (int *)field);
		if (err) {
			enum_choices(o->enum_vals, choices, sizeof(choices));
			pr_warn("%s: --%s: unknown value '%s' (expected %s)\n", cmd->name, o->name,
				arg, choices);
		}
		return err;
	}
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
	struct option lopts[XG_MAX_OPTS + 2];
	char shorts[2 * XG_MAX_OPTS + 4] = ":h";
	size_t i, n = count_opts(cmd->opts), s = strlen(shorts);
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
	lopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };

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
		if (!o || apply_opt(cmd, o, cfg, optarg))
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

	fprintf(out, "Usage: xdpgate %s [OPTIONS] %s\n\n%s\n\nOptions:\n", cmd->name, cmd->args,
		cmd->summary);
	for (o = cmd->opts; o && o->name; o++) {
		const char *mv = o->metavar;

		if (o->type == XG_OPT_ENUM) {
			enum_choices(o->enum_vals, choices, sizeof(choices));
			mv = choices;
		}
		snprintf(lhs, sizeof(lhs), "%s%c%s--%s%s%s", o->short_name ? "-" : "",
			 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
			 mv ? " " : "", mv ? mv : "");
		fprintf(out, "  %-32s %s\n", lhs, o->help);
	}
	fprintf(out, "  %-32s %s\n", "-h, --help", "show this help");
}

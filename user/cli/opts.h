/* SPDX-License-Identifier: GPL-2.0 */
/* Declarative command-line options: each command lists its options in a table of typed
 * fields written straight into the command's config struct. Parsing errors are one line
 * naming the command, the option and the bad value. */
#ifndef XG_OPTS_H
#define XG_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum xg_opt_type {
	XG_OPT_FLAG,   /* bool, set to true */
	XG_OPT_COUNT,  /* int, incremented each time (-v -v) */
	XG_OPT_UINT,   /* unsigned int within [min, max] */
	XG_OPT_U64,    /* uint64_t >= min */
	XG_OPT_DOUBLE, /* double > 0 */
	XG_OPT_STRING, /* const char *, points into argv */
	XG_OPT_ENUM,   /* int, one of enum_vals */
	XG_OPT_IFACE,  /* const char *, the name of an interface of this namespace */
	XG_OPT_MAC,    /* struct xg_opt_mac, aa:bb:cc:dd:ee:ff */
	XG_OPT_QUEUES, /* struct xg_opt_queues: "all" or a list like 0,2-3, each <= max */
	XG_OPT_RULE,   /* unsigned int, a rule number: 1..max (max 0: no bound) */
};

struct xg_opt_mac {
	bool set;
	uint8_t addr[6];
};

#define XG_OPT_QUEUES_MAX 64

struct xg_opt_queues {
	unsigned int n; /* 0: all queues */
	unsigned int q[XG_OPT_QUEUES_MAX];
};

struct xg_opt_enum {
	const char *name;
	int value;
};

struct xg_opt {
	const char *name; /* long name, without "--" */
	char short_name;  /* 0 for none */
	enum xg_opt_type type;
	size_t offset; /* offsetof(cfg struct, field) */
	const char *metavar;
	const char *help;
	const struct xg_opt_enum *enum_vals; /* XG_OPT_ENUM: terminated by {NULL} */
	unsigned long min, max; /* bounds of numbers, queues and rules (max 0: no bound) */
	bool positional;	/* a positional argument: messages name it by metavar */
	const char *alias;	/* another long name taken for it (an old name kept) */
};

/* The end of an option table. */
#define XG_OPT_END           \
	{                    \
		.name = NULL \
	}

/* The options several commands share, each written once: the command names its config
 * struct, the field, and (where the meaning differs) what the option does for it. */
#define XG_OPT_JSON(T, field, what)                                     \
	{                                                               \
		.name = "json", .short_name = 'j', .type = XG_OPT_FLAG, \
		.offset = offsetof(T, field), .help = (what)            \
	}
#define XG_OPT_DURATION(T, field, what)                                       \
	{                                                                     \
		.name = "duration", .short_name = 'd', .type = XG_OPT_DOUBLE, \
		.offset = offsetof(T, field), .metavar = "S", .help = (what)  \
	}
/* The conntrack table's size for rules with `ct` (docs/conntrack.md): the kernel's
 * nf_conntrack_max, from 1 (0 would be unbounded) to XG_CT_MAX_LIMIT (user/rules/ct.h,
 * which the user of the macro includes). */
#define XG_OPT_CT_MAX(T, field)                                                      \
	{                                                                            \
		.name = "ct-max", .type = XG_OPT_UINT, .offset = offsetof(T, field), \
		.metavar = "N",                                                      \
		.help = "rules with 'ct': set the kernel's conntrack table size "    \
			"(net.netfilter.nf_conntrack_max, host-wide)",               \
		.min = 1, .max = XG_CT_MAX_LIMIT                                     \
	}
/* The report interval: one name everywhere; `run` called it --stats-interval once. */
#define XG_OPT_INTERVAL(T, field)                                                        \
	{                                                                                \
		.name = "interval", .short_name = 'i', .type = XG_OPT_DOUBLE,            \
		.offset = offsetof(T, field), .metavar = "S",                            \
		.help = "seconds between reports (default 1)", .alias = "stats-interval" \
	}
/* N >= 1 into an unsigned int, or a uint64_t field for counts that may pass 2^32. */
#define XG_OPT_COUNT(T, field, what)                                                   \
	{                                                                              \
		.name = "count", .short_name = 'c',                                    \
		.type = sizeof(((T *)0)->field) == 8 ? XG_OPT_U64 : XG_OPT_UINT,       \
		.offset = offsetof(T, field), .metavar = "N", .help = (what), .min = 1 \
	}

/* A command: its options, its positional arguments, and what it does with them. */
struct xg_cmd {
	const char *name;
	const char *args; /* positional synopsis, e.g. "IFACE" or "[IFACE]" */
	int min_args, max_args;
	const char *summary;
	const struct xg_opt *opts; /* terminated by XG_OPT_END */
	size_t cfg_size;
	void (*defaults)(void *cfg); /* optional: fill defaults before parsing */
	/* optional: refuse values and combinations the option table cannot express; non-zero
	 * after one line, and the command exits 2 like any usage error, touching nothing */
	int (*check)(const void *cfg, int argc, char **argv);
	int (*run)(void *cfg, int argc, char **argv); /* argc/argv: positionals only */
};

/* Parse argv (argv[0] is the command name) into cfg. Returns the index of the first
 * positional argument, XG_OPTS_HELP when --help was given (usage already printed to out),
 * or -1 after printing an error. */
#define XG_OPTS_HELP (-2)
int xg_opts_parse(const struct xg_cmd *cmd, void *cfg, int argc, char **argv, FILE *out);
void xg_opts_usage(const struct xg_cmd *cmd, FILE *out);
/* Parse arg as o says into cfg, for a positional argument of a typed kind (o->positional
 * set). 0, or -EINVAL after one error line naming cmd, the argument and the value. */
int xg_opt_parse_arg(const char *cmd, const struct xg_opt *o, void *cfg, const char *arg);
/* Store arg in o's field of cfg without printing: 0, or -EINVAL with what is wrong with the
 * value in why (for callers that name the culprit their own way, like the config file). */
int xg_opt_parse_value(const struct xg_opt *o, void *cfg, const char *arg, char *why, size_t len);
/* Find the name of an enum value for printing; "?" when not in the table. */
const char *xg_opt_enum_name(const struct xg_opt_enum *vals, int value);

#endif

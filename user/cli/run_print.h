/* SPDX-License-Identifier: GPL-2.0 */
/* What `run` prints of a started pool: its sockets, workers and gate. */
#ifndef XG_CLI_RUN_PRINT_H
#define XG_CLI_RUN_PRINT_H

#include "user/pool/pool.h"

void xg_run_print_sockets(const struct xg_pool *p);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Types the pool's API (pool.h) and its workers (worker.h) share: worker.h needs them
 * without the rest of the API, so the dependency runs one way (pool.c -> worker.h ->
 * pool_types.h <- pool.h). */
#ifndef XG_POOL_TYPES_H
#define XG_POOL_TYPES_H

/* How an idle worker waits for frames. */
enum xg_wait { XG_WAIT_POLL, XG_WAIT_BUSY_POLL, XG_WAIT_SPIN };

#endif

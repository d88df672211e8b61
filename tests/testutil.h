/* testutil.h: helpers shared by the cmocka suites.
 *
 * Every suite starts the runtime in its group setup (tu_runtime_up) and
 * stops it in teardown (tu_runtime_down), which also checks that the
 * runtime's allocated-bytes counter is back where it started. */
#ifndef PYMODRT_TESTUTIL_H
#define PYMODRT_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "Python.h"
#include "pymodrt.h"

int tu_runtime_up(void **state);
int tu_runtime_down(void **state);

/* Waits until deferred frees have run, then returns the runtime's
 * allocated-bytes counter. */
int64_t tu_mem_settled(void);

/* Asserts that an exception of exactly 'type' is pending and that str() of
 * it equals 'msg' (NULL: any message); clears it.  Reports the actual type
 * and message on mismatch. */
#define tu_assert_exc(type, msg) tu_assert_exc_at((type), (msg), __FILE__, __LINE__)
void tu_assert_exc_at(PyObject *type, const char *msg, const char *file, int line);
/* Asserts that no exception is pending (prints it if one is). */
#define tu_assert_no_exc() tu_assert_no_exc_at(__FILE__, __LINE__)
void tu_assert_no_exc_at(const char *file, int line);

/* Allocation-failure sweep.  Runs op(ctx) with the 1st, 2nd, ... allocation
 * from its start failing, until a run succeeds with the failure never
 * reached.  Every failed run must return -1 with an exception set (any type
 * unless 'exc' is given) and, after 'undo' (may be NULL) and clearing the
 * error, leave the allocated-bytes counter unchanged.  'op' returns 0 on
 * success, -1 on error; on success 'undo' is called too.  Returns the
 * number of allocations the operation makes. */
typedef int (*tu_op)(void *ctx);
int tu_alloc_failure_sweep(tu_op op, void (*undo)(void *ctx), void *ctx, PyObject *exc);

/* Captures what the process writes to stderr between begin and end (a
 * pipe, so keep it under 64 KiB).  end returns a malloc'ed string. */
void tu_stderr_begin(void);
char *tu_stderr_end(void);

#endif /* !PYMODRT_TESTUTIL_H */

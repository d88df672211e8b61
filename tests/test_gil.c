/* ctest-labels: unit tsan
 *
 * tests/test_gil.c: the GIL layer on its own (gil/gil.h), with real threads.
 *
 * Checks made inside worker threads are recorded with TCHECK (cmocka's
 * assertions may only run on the test's own thread) and asserted by the test
 * after joining.  Waits for another thread's progress poll an observable
 * condition with a deadline (WAIT_FOR) and fail instead of hanging; no sleep
 * is used to order events.  A watchdog alarm ends the binary if a test
 * hangs anyway.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PYMODRT_BUILD_CORE
#define PYMODRT_BUILD_CORE 1
#endif
#include "gil.h"

/* ------------------------------------------------------------------------
 * Helpers
 */

static _Atomic int thread_failures;
static _Atomic int first_failure_line;

#define TCHECK(c)                                                             \
	do {                                                                  \
		if (!(c)) {                                                   \
			int zero_ = 0;                                        \
			atomic_compare_exchange_strong(&first_failure_line,   \
			    &zero_, __LINE__);                                \
			atomic_fetch_add(&thread_failures, 1);                \
		}                                                             \
	} while (0)

static int
reset_failures(void **state)
{
	(void)state;
	atomic_store(&thread_failures, 0);
	atomic_store(&first_failure_line, 0);
	return 0;
}

static void
assert_no_thread_failures(void)
{
	if (atomic_load(&thread_failures) != 0)
		fail_msg("%d check(s) failed in threads, first at line %d",
		    atomic_load(&thread_failures), atomic_load(&first_failure_line));
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define WAIT_LIMIT_NS (5ull * 1000000000ull)

/* Poll 'cond' (yielding the CPU) until it holds; fail the test after 5 s. */
#define WAIT_FOR(cond)                                                        \
	do {                                                                  \
		uint64_t until_ = mono_ns() + WAIT_LIMIT_NS;                  \
		while (!(cond)) {                                             \
			if (mono_ns() > until_)                               \
				fail_msg("timed out waiting for: %s", #cond); \
			sched_yield();                                        \
		}                                                             \
	} while (0)

static void
start_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	assert_int_equal(pthread_create(th, NULL, fn, arg), 0);
}

static void
join_thread(pthread_t th)
{
	assert_int_equal(pthread_join(th, NULL), 0);
}

static struct gil_stats
stats_of(const struct gil *g)
{
	struct gil_stats s;

	gil_stats(g, &s);
	return s;
}

/* Switch hook recorder. */
struct hook_rec {
	_Atomic int calls;
	char reason[64];
	int enabled_in_hook;
	const struct gil *g;
};

static void
record_hook(void *ctx, const char *reason)
{
	struct hook_rec *h = ctx;

	if (atomic_fetch_add(&h->calls, 1) == 0) {
		snprintf(h->reason, sizeof h->reason, "%s", reason ? reason : "(null)");
		h->enabled_in_hook = gil_is_enabled(h->g);
	}
}

/* ------------------------------------------------------------------------
 * Init and modes
 */

static void
test_init_modes(void **state)
{
	struct gil g;
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, 2), -EINVAL);
	assert_int_equal(gil_init(&g, -2), -EINVAL);

	assert_int_equal(gil_init(&g, GIL_MODE_OFF), 0);
	assert_int_equal(gil_is_enabled(&g), 0);
	s = stats_of(&g);
	assert_int_equal(s.mode, GIL_MODE_OFF);
	assert_int_equal(s.enabled, 0);
	gil_destroy(&g);

	assert_int_equal(gil_init(&g, GIL_MODE_ON), 0);
	assert_int_equal(gil_is_enabled(&g), 1);
	s = stats_of(&g);
	assert_int_equal(s.mode, GIL_MODE_ON);
	assert_int_equal(s.enabled, INT_MAX);
	assert_int_equal(s.switches_on, 0);
	gil_destroy(&g);

	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	assert_int_equal(gil_is_enabled(&g), 0);
	assert_int_equal(stats_of(&g).mode, GIL_MODE_AUTO);
	gil_destroy(&g);
}

static void
test_mode_off(void **state)
{
	struct gil g;
	struct gil_thread t;
	struct hook_rec h = { .calls = 0 };
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_OFF), 0);
	h.g = &g;
	gil_set_switch_hook(&g, record_hook, &h);
	gil_thread_register(&g, &t);
	gil_attach(&g, &t);
	assert_int_equal(gil_enable_transient(&g, &t), 0);
	assert_int_equal(gil_is_enabled(&g), 0);
	assert_int_equal(gil_enable_permanent(&g, &t, "spam"), 0);
	assert_int_equal(gil_is_enabled(&g), 0);
	assert_int_equal(gil_disable_transient(&g, &t), 0);
	assert_int_equal(gil_enable_transient(&g, NULL), 0);
	gil_safepoint(&g, &t);
	gil_detach(&g, &t);
	gil_attach(&g, &t);
	gil_detach(&g, &t);
	gil_thread_unregister(&g, &t);

	s = stats_of(&g);
	assert_int_equal(atomic_load(&h.calls), 0);
	assert_int_equal(s.enabled, 0);
	assert_int_equal(s.acquisitions, 0);
	assert_int_equal(s.stw_events, 0);
	assert_int_equal(s.switches_on, 0);
	assert_int_equal(s.registered, 0);
	gil_destroy(&g);
}

static void
test_mode_on(void **state)
{
	struct gil g;
	struct gil_thread t;
	struct hook_rec h = { .calls = 0 };
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_ON), 0);
	h.g = &g;
	gil_set_switch_hook(&g, record_hook, &h);
	gil_thread_register(&g, &t);
	gil_attach(&g, &t);
	assert_int_equal(t.holds, 1);
	assert_int_equal(gil_disable_transient(&g, &t), 0);
	assert_int_equal(gil_is_enabled(&g), 1);
	assert_int_equal(t.holds, 1);
	assert_int_equal(gil_enable_transient(&g, &t), 0);
	assert_int_equal(gil_enable_permanent(&g, &t, "spam"), 0);
	assert_int_equal(gil_disable_transient(&g, &t), 0);
	assert_int_equal(gil_is_enabled(&g), 1);
	gil_detach(&g, &t);
	assert_int_equal(t.holds, 0);
	gil_attach(&g, &t);
	gil_detach(&g, &t);
	gil_thread_unregister(&g, &t);

	s = stats_of(&g);
	assert_int_equal(atomic_load(&h.calls), 0);
	assert_int_equal(s.enabled, INT_MAX);
	assert_int_equal(s.acquisitions, 2);
	assert_int_equal(s.contended, 0);
	assert_int_equal(s.stw_events, 0);
	assert_int_equal(s.switches_on, 0);
	gil_destroy(&g);
}

/* ------------------------------------------------------------------------
 * AUTO: SEMANTICS 7.3 counting
 */

static void
test_auto_counting(void **state)
{
	struct gil g;
	struct gil_thread t;
	struct hook_rec h = { .calls = 0 };
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	h.g = &g;
	gil_set_switch_hook(&g, record_hook, &h);
	gil_thread_register(&g, &t);
	gil_attach(&g, &t);
	assert_int_equal(t.holds, 0);

	/* transient requests nest */
	assert_int_equal(gil_enable_transient(&g, &t), 1);
	assert_int_equal(gil_is_enabled(&g), 1);
	assert_int_equal(t.holds, 1);
	assert_int_equal(gil_enable_transient(&g, &t), 0);
	assert_int_equal(stats_of(&g).enabled, 2);
	assert_int_equal(gil_disable_transient(&g, &t), 0);
	assert_int_equal(gil_is_enabled(&g), 1);
	assert_int_equal(t.holds, 1);
	assert_int_equal(gil_disable_transient(&g, &t), 1);
	assert_int_equal(gil_is_enabled(&g), 0);
	assert_int_equal(t.holds, 0);
	/* unbalanced */
	assert_int_equal(gil_disable_transient(&g, &t), -EINVAL);
	assert_int_equal(gil_is_enabled(&g), 0);

	/* permanent after a transient request: irreversible, hook once */
	assert_int_equal(gil_enable_transient(&g, &t), 1);
	assert_int_equal(gil_enable_permanent(&g, &t, "spam"), 1);
	assert_int_equal(atomic_load(&h.calls), 1);
	assert_string_equal(h.reason, "spam");
	assert_int_equal(h.enabled_in_hook, 1);
	assert_int_equal(stats_of(&g).enabled, INT_MAX);
	assert_int_equal(gil_enable_permanent(&g, &t, "eggs"), 0);
	assert_int_equal(gil_disable_transient(&g, &t), 0);
	assert_int_equal(gil_disable_transient(&g, &t), 0);
	assert_int_equal(gil_enable_transient(&g, &t), 0);
	assert_int_equal(gil_is_enabled(&g), 1);
	assert_int_equal(stats_of(&g).enabled, INT_MAX);
	assert_int_equal(atomic_load(&h.calls), 1);
	assert_string_equal(h.reason, "spam");
	assert_int_equal(t.holds, 1);
	gil_detach(&g, &t);
	gil_attach(&g, &t);
	assert_int_equal(t.holds, 1);
	gil_detach(&g, &t);
	gil_thread_unregister(&g, &t);

	s = stats_of(&g);
	assert_int_equal(s.switches_on, 2);
	assert_int_equal(s.stw_events, 2);
	gil_destroy(&g);

	/* permanent straight from disabled, and a caller outside any thread
	 * state (NULL): it does not take the GIL, attached threads do. */
	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	memset(&h, 0, sizeof h);
	h.g = &g;
	gil_set_switch_hook(&g, record_hook, &h);
	gil_thread_register(&g, &t);
	assert_int_equal(gil_enable_transient(&g, NULL), 1);
	gil_attach(&g, &t);
	assert_int_equal(t.holds, 1);
	gil_detach(&g, &t);
	assert_int_equal(gil_disable_transient(&g, NULL), 1);
	gil_attach(&g, &t);
	assert_int_equal(t.holds, 0);
	assert_int_equal(gil_enable_permanent(&g, &t, "ham"), 1);
	assert_int_equal(t.holds, 1);
	assert_int_equal(atomic_load(&h.calls), 1);
	assert_string_equal(h.reason, "ham");
	assert_int_equal(gil_enable_permanent(&g, &t, "ham"), 0);
	assert_int_equal(atomic_load(&h.calls), 1);
	gil_detach(&g, &t);
	gil_thread_unregister(&g, &t);
	s = stats_of(&g);
	assert_int_equal(s.switches_on, 2);
	assert_int_equal(s.acquisitions, 2);
	gil_destroy(&g);
}

/* SEMANTICS 7.3 step 2: the counter never reaches INT_MAX by transient
 * requests.  Run in a child process, which must abort with the message. */
static void
test_too_many_transient(void **state)
{
	int fds[2];
	pid_t pid;
	char buf[512];
	size_t len = 0;
	ssize_t n;
	int status;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct gil g;
		struct gil_thread t;

		close(fds[0]);
		dup2(fds[1], 2);
		if (gil_init(&g, GIL_MODE_AUTO) != 0)
			_exit(10);
		gil_thread_register(&g, &t);
		gil_attach(&g, &t);
		if (gil_enable_transient(&g, &t) != 1)
			_exit(11);
		/* White box: skip 2^31 - 3 requests. */
		atomic_store(&g.hot.enabled, INT_MAX - 2);
		if (gil_enable_transient(&g, &t) != 0)
			_exit(12);
		if (atomic_load(&g.hot.enabled) != INT_MAX - 1)
			_exit(13);
		gil_enable_transient(&g, &t); /* must not return */
		_exit(14);
	}
	close(fds[1]);
	while (len < sizeof buf - 1 &&
	    (n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status))
		fail_msg("child exited with %d instead of aborting; stderr: %s",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1, buf);
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "Too many transient requests to enable the GIL"));
}

/* ------------------------------------------------------------------------
 * Mutual exclusion
 */

#define MX_THREADS 4
#define MX_ITERS 100000
#define MX_BATCH 1000

struct mx_arg {
	struct gil *g;
	/* Plain ints: only the GIL protects them.  Accessed through volatile
	 * pointers so that every increment is a separate load and store (a
	 * broken lock then loses updates even without TSAN); they are still
	 * ordinary non-atomic accesses for TSAN. */
	volatile int *counter;
	volatile int *holder;
	int tid;
	long overlaps; /* iterations that saw another thread's mark */
};

static void *
mx_worker(void *p)
{
	struct mx_arg *a = p;
	struct gil_thread t;

	gil_thread_register(a->g, &t);
	gil_attach(a->g, &t);
	for (int i = 0; i < MX_ITERS; i++) {
		*a->holder = a->tid;
		*a->counter = *a->counter + 1;
		if (*a->holder != a->tid)
			a->overlaps++;
		if ((i + 1) % MX_BATCH == 0) {
			gil_detach(a->g, &t);
			gil_attach(a->g, &t);
		}
	}
	gil_detach(a->g, &t);
	gil_thread_unregister(a->g, &t);
	return NULL;
}

static void
test_mutual_exclusion(void **state)
{
	struct gil g;
	pthread_t th[MX_THREADS];
	int counter = 0, holder = -1;
	struct mx_arg a[MX_THREADS];
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_ON), 0);
	for (int i = 0; i < MX_THREADS; i++) {
		a[i] = (struct mx_arg){ .g = &g, .counter = &counter,
		    .holder = &holder, .tid = i };
		start_thread(&th[i], mx_worker, &a[i]);
	}
	for (int i = 0; i < MX_THREADS; i++)
		join_thread(th[i]);
	for (int i = 0; i < MX_THREADS; i++)
		assert_int_equal(a[i].overlaps, 0);
	assert_int_equal(counter, MX_THREADS * MX_ITERS);
	s = stats_of(&g);
	/* one attach per thread plus one per batch */
	assert_int_equal(s.acquisitions, MX_THREADS * (1 + MX_ITERS / MX_BATCH));
	assert_true(s.contended <= s.acquisitions);
	assert_true(s.handoffs <= s.contended);
	assert_int_equal(s.waiters, 0);
	assert_int_equal(s.stw_events, 0);
	gil_destroy(&g);
}

/* ------------------------------------------------------------------------
 * FIFO order, deterministic: the queue is built one thread at a time.
 */

struct fifo_arg {
	struct gil *g;
	int id;
	int *order;   /* guarded by the GIL */
	int *norder;  /* guarded by the GIL */
	uint64_t ticket;
};

static void *
fifo_worker(void *p)
{
	struct fifo_arg *a = p;
	struct gil_thread t;

	gil_thread_register(a->g, &t);
	gil_attach(a->g, &t);
	TCHECK(t.holds);
	a->order[(*a->norder)++] = a->id;
	a->ticket = t.ticket;
	gil_detach(a->g, &t);
	gil_thread_unregister(a->g, &t);
	return NULL;
}

static void
test_fifo_order(void **state)
{
	enum { N = 3, MAIN_ID = 99 };
	struct gil g;
	struct gil_thread mt;
	struct fifo_arg a[N];
	pthread_t th[N];
	int order[N + 1];
	int norder = 0;
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_ON), 0);
	gil_thread_register(&g, &mt);
	gil_attach(&g, &mt);
	for (int i = 0; i < N; i++) {
		a[i] = (struct fifo_arg){ .g = &g, .id = i, .order = order, .norder = &norder };
		start_thread(&th[i], fifo_worker, &a[i]);
		WAIT_FOR(stats_of(&g).waiters == (uint64_t)i + 1);
	}
	/* The releaser goes to the back: it may not barge in front of the
	 * three waiters, however fast it re-requests. */
	gil_detach(&g, &mt);
	gil_attach(&g, &mt);
	order[norder++] = MAIN_ID;
	gil_detach(&g, &mt);
	for (int i = 0; i < N; i++)
		join_thread(th[i]);
	gil_thread_unregister(&g, &mt);

	assert_no_thread_failures();
	assert_int_equal(norder, N + 1);
	for (int i = 0; i < N; i++) {
		assert_int_equal(order[i], i);
		assert_int_equal(a[i].ticket, (uint64_t)i + 1);
	}
	assert_int_equal(order[N], MAIN_ID);
	s = stats_of(&g);
	/* main -> 0 -> 1 -> 2 by hand-off; main's re-attach either queued
	 * behind them (one more hand-off) or came after all had left. */
	assert_true(s.handoffs == N || s.handoffs == N + 1);
	assert_int_equal(s.contended, s.handoffs);
	assert_int_equal(s.acquisitions, N + 2);
	assert_true(s.wait_ns > 0);
	assert_int_equal(s.waiters, 0);
	gil_destroy(&g);
}

/* ------------------------------------------------------------------------
 * Fairness under free contention: threads re-request as fast as they can.
 * Each holder checks, under the GIL, what the previous holder left behind:
 * if the previous holder saw waiters before it released, the new holder
 * must be one of those waiters (it waited, and it is not the releaser);
 * and waiters must arrive in ticket (queue) order.  Runs until enough
 * contended releases were seen (or a deadline: fail).
 */

#define FAIR_THREADS 3
#define FAIR_CONTENDED 3000

struct fair_shared {
	struct gil *g;
	pthread_barrier_t start;
	uint64_t deadline;
	/* guarded by the GIL: */
	int done;
	int last_tid;
	uint64_t last_waiters;   /* queue length the last holder saw before releasing */
	uint64_t last_ticket;    /* highest ticket seen so far */
	long contended_releases; /* releases made with waiters queued */
	long barging;            /* violations: releaser re-acquired past waiters */
	long out_of_order;       /* violations: tickets not increasing */
	long count[FAIR_THREADS];
	unsigned work;
};

struct fair_arg {
	struct fair_shared *sh;
	int tid;
};

static void *
fair_worker(void *p)
{
	struct fair_arg *a = p;
	struct fair_shared *sh = a->sh;
	struct gil_thread t;

	gil_thread_register(sh->g, &t);
	pthread_barrier_wait(&sh->start);
	for (;;) {
		gil_attach(sh->g, &t);
		TCHECK(t.holds);
		if (sh->done) {
			gil_detach(sh->g, &t);
			break;
		}
		if (sh->last_waiters > 0 && (sh->last_tid == a->tid || t.ticket == 0))
			sh->barging++;
		if (t.ticket != 0) {
			if (t.ticket <= sh->last_ticket)
				sh->out_of_order++;
			sh->last_ticket = t.ticket;
		}
		sh->count[a->tid]++;
		for (unsigned k = 0; k < 200; k++) /* a little work under the GIL */
			sh->work = sh->work * 31u + k;
		sh->last_tid = a->tid;
		sh->last_waiters = stats_of(sh->g).waiters;
		if (sh->last_waiters > 0)
			sh->contended_releases++;
		if (sh->contended_releases >= FAIR_CONTENDED || mono_ns() > sh->deadline)
			sh->done = 1;
		gil_detach(sh->g, &t);
	}
	gil_thread_unregister(sh->g, &t);
	return NULL;
}

static void
test_fairness(void **state)
{
	static struct fair_shared sh;
	struct gil g;
	struct fair_arg a[FAIR_THREADS];
	pthread_t th[FAIR_THREADS];
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_ON), 0);
	memset(&sh, 0, sizeof sh);
	sh.g = &g;
	sh.last_tid = -1;
	sh.deadline = mono_ns() + WAIT_LIMIT_NS;
	assert_int_equal(pthread_barrier_init(&sh.start, NULL, FAIR_THREADS), 0);
	for (int i = 0; i < FAIR_THREADS; i++) {
		a[i] = (struct fair_arg){ .sh = &sh, .tid = i };
		start_thread(&th[i], fair_worker, &a[i]);
	}
	for (int i = 0; i < FAIR_THREADS; i++)
		join_thread(th[i]);
	pthread_barrier_destroy(&sh.start);
	assert_no_thread_failures();

	s = stats_of(&g);
	print_message("fairness: counts %ld %ld %ld, contended releases %ld, "
	    "handoffs %llu, mean wait %llu ns\n",
	    sh.count[0], sh.count[1], sh.count[2], sh.contended_releases,
	    (unsigned long long)s.handoffs,
	    (unsigned long long)(s.contended ? s.wait_ns / s.contended : 0));
	assert_int_equal(sh.barging, 0);
	assert_int_equal(sh.out_of_order, 0);
	/* Not vacuous: enough releases happened with a queue behind them. */
	assert_true(sh.contended_releases >= FAIR_CONTENDED);
	/* Every such release was a hand-off (others may be too: a waiter can
	 * queue after the holder looked). */
	assert_true(s.handoffs >= (uint64_t)sh.contended_releases);
	assert_true(s.handoffs <= s.contended);
	assert_int_equal(s.waiters, 0);
	gil_destroy(&g);
}

/* Every holder waits (spinning on the queue length, with a deadline) until
 * all other active threads are queued before it releases.  With FIFO
 * hand-off the holders must then rotate exactly: A B C A B C ... */

#define ROT_THREADS 3
#define ROT_ROUNDS 1000

struct rot_shared {
	struct gil *g;
	pthread_barrier_t start;
	_Atomic int active;              /* threads with rounds left */
	int n;                           /* guarded by the GIL */
	int log[ROT_THREADS * ROT_ROUNDS]; /* guarded by the GIL */
	uint64_t ticket[ROT_THREADS * ROT_ROUNDS];
};

struct rot_arg {
	struct rot_shared *sh;
	int tid;
};

static void *
rot_worker(void *p)
{
	struct rot_arg *a = p;
	struct rot_shared *sh = a->sh;
	struct gil_thread t;

	gil_thread_register(sh->g, &t);
	pthread_barrier_wait(&sh->start);
	for (int r = 0; r < ROT_ROUNDS; r++) {
		uint64_t until = mono_ns() + WAIT_LIMIT_NS;

		gil_attach(sh->g, &t);
		TCHECK(t.holds);
		sh->ticket[sh->n] = t.ticket;
		sh->log[sh->n++] = a->tid;
		while (stats_of(sh->g).waiters + 1 < (uint64_t)atomic_load(&sh->active)) {
			if (mono_ns() > until) {
				TCHECK(!"the other threads never queued");
				break;
			}
			sched_yield();
		}
		if (r == ROT_ROUNDS - 1)
			atomic_fetch_sub(&sh->active, 1);
		gil_detach(sh->g, &t);
	}
	gil_thread_unregister(sh->g, &t);
	return NULL;
}

static void
test_rotation(void **state)
{
	static struct rot_shared sh;
	struct gil g;
	struct rot_arg a[ROT_THREADS];
	pthread_t th[ROT_THREADS];
	int count[ROT_THREADS] = { 0 };
	const int total = ROT_THREADS * ROT_ROUNDS;
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_ON), 0);
	memset(&sh, 0, sizeof sh);
	sh.g = &g;
	atomic_init(&sh.active, ROT_THREADS);
	assert_int_equal(pthread_barrier_init(&sh.start, NULL, ROT_THREADS), 0);
	for (int i = 0; i < ROT_THREADS; i++) {
		a[i] = (struct rot_arg){ .sh = &sh, .tid = i };
		start_thread(&th[i], rot_worker, &a[i]);
	}
	for (int i = 0; i < ROT_THREADS; i++)
		join_thread(th[i]);
	pthread_barrier_destroy(&sh.start);
	assert_no_thread_failures();
	assert_int_equal(sh.n, total);

	/* The first ROT_THREADS holders are distinct (whoever got there
	 * first); from then on each holder is the one ROT_THREADS back. */
	for (int i = 0; i < total; i++) {
		count[sh.log[i]]++;
		for (int j = 1; j < ROT_THREADS && j <= i; j++)
			if (sh.log[i] == sh.log[i - j])
				fail_msg("entry %d: thread %d again after %d turn(s)",
				    i, sh.log[i], j);
		if (i >= ROT_THREADS) {
			assert_int_equal(sh.log[i], sh.log[i - ROT_THREADS]);
			assert_true(sh.ticket[i] > sh.ticket[i - 1]);
		}
	}
	for (int i = 0; i < ROT_THREADS; i++)
		assert_int_equal(count[i], ROT_ROUNDS);
	s = stats_of(&g);
	assert_int_equal(s.acquisitions, total);
	/* Every release but the last ROT_THREADS found a full queue. */
	assert_true(s.handoffs >= (uint64_t)(total - ROT_THREADS));
	assert_int_equal(s.waiters, 0);
	gil_destroy(&g);
}

/* ------------------------------------------------------------------------
 * Turning the GIL off releases the threads queued for it
 */

struct rel_arg {
	struct gil *g;
	_Atomic int attached;
	int held;
};

static void *
rel_worker(void *p)
{
	struct rel_arg *a = p;
	struct gil_thread t;

	gil_thread_register(a->g, &t);
	gil_attach(a->g, &t);
	a->held = t.holds;
	atomic_store(&a->attached, 1);
	gil_detach(a->g, &t);
	gil_thread_unregister(a->g, &t);
	return NULL;
}

static void
test_disable_releases_waiters(void **state)
{
	enum { N = 2 };
	struct gil g;
	struct gil_thread mt;
	struct rel_arg a[N];
	pthread_t th[N];
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	gil_thread_register(&g, &mt);
	gil_attach(&g, &mt);
	assert_int_equal(gil_enable_transient(&g, &mt), 1);
	for (int i = 0; i < N; i++) {
		a[i].g = &g;
		atomic_init(&a[i].attached, 0);
		a[i].held = -1;
		start_thread(&th[i], rel_worker, &a[i]);
	}
	WAIT_FOR(stats_of(&g).waiters == N);
	assert_int_equal(atomic_load(&a[0].attached) + atomic_load(&a[1].attached), 0);
	assert_int_equal(gil_disable_transient(&g, &mt), 1);
	assert_int_equal(mt.holds, 0);
	/* Main stays attached: the waiters must go on without the lock. */
	WAIT_FOR(atomic_load(&a[0].attached) && atomic_load(&a[1].attached));
	for (int i = 0; i < N; i++) {
		join_thread(th[i]);
		assert_int_equal(a[i].held, 0);
	}
	gil_detach(&g, &mt);
	gil_thread_unregister(&g, &mt);
	s = stats_of(&g);
	assert_int_equal(s.acquisitions, 1);
	assert_int_equal(s.contended, N);
	assert_int_equal(s.handoffs, 0);
	assert_int_equal(s.waiters, 0);
	gil_destroy(&g);
}

/* ------------------------------------------------------------------------
 * Stop-the-world
 */

#define STW_WORKERS 2

struct stw_shared {
	struct gil *g;
	_Atomic int stop;
	_Atomic int inside;      /* 1 while someone runs in a GIL-only region */
	_Atomic int violations;
	_Atomic long unprot[STW_WORKERS];
	_Atomic long prot[STW_WORKERS];
	long plain;              /* touched only while holding the GIL */
};

struct stw_arg {
	struct stw_shared *sh;
	int idx;
	long local;
};

static void *
stw_worker(void *p)
{
	struct stw_arg *a = p;
	struct stw_shared *sh = a->sh;
	struct gil_thread t;
	long n = 0;

	gil_thread_register(sh->g, &t);
	gil_attach(sh->g, &t);
	while (!atomic_load(&sh->stop)) {
		gil_safepoint(sh->g, &t);
		if (gil_is_enabled(sh->g)) {
			/* After a safe point, an enabled GIL means we hold it. */
			TCHECK(t.holds);
			if (atomic_exchange(&sh->inside, 1) != 0)
				atomic_fetch_add(&sh->violations, 1);
			sh->plain++;
			a->local++;
			atomic_fetch_add(&sh->prot[a->idx], 1);
			atomic_store(&sh->inside, 0);
			if (++n % 64 == 0) {
				gil_detach(sh->g, &t);
				gil_attach(sh->g, &t);
			}
		} else {
			atomic_fetch_add(&sh->unprot[a->idx], 1);
		}
	}
	gil_detach(sh->g, &t);
	gil_thread_unregister(sh->g, &t);
	return NULL;
}

/* A GIL in AUTO mode, the caller attached as 'mt', and STW_WORKERS
 * stw_worker threads already spinning through safe points without it. */
static void
stw_workers_start(struct gil *g, struct gil_thread *mt, struct stw_shared *sh,
    struct stw_arg *a, pthread_t *th)
{
	assert_int_equal(gil_init(g, GIL_MODE_AUTO), 0);
	memset(sh, 0, sizeof *sh);
	sh->g = g;
	gil_thread_register(g, mt);
	gil_attach(g, mt);
	for (int i = 0; i < STW_WORKERS; i++) {
		a[i] = (struct stw_arg){ .sh = sh, .idx = i };
		start_thread(&th[i], stw_worker, &a[i]);
	}
	for (int i = 0; i < STW_WORKERS; i++)
		WAIT_FOR(atomic_load(&sh->unprot[i]) > 1000);
}

static void
test_stop_the_world(void **state)
{
	static struct stw_shared sh;
	struct gil g;
	struct gil_thread mt;
	struct stw_arg a[STW_WORKERS];
	pthread_t th[STW_WORKERS];
	long snap_u[STW_WORKERS], snap_p[STW_WORKERS], total = 0;
	struct gil_stats s;

	(void)state;
	stw_workers_start(&g, &mt, &sh, a, th);

	/* Switch on while both workers spin without the GIL. */
	assert_int_equal(gil_enable_transient(&g, &mt), 1);
	assert_int_equal(mt.holds, 1);
	s = stats_of(&g);
	assert_int_equal(s.stw_events, 1);
	assert_int_equal(s.switches_on, 1);
	if (atomic_exchange(&sh.inside, 1) != 0)
		atomic_fetch_add(&sh.violations, 1);
	/* Nobody may run now: watch the workers' counters for a while. */
	for (int i = 0; i < STW_WORKERS; i++) {
		snap_u[i] = atomic_load(&sh.unprot[i]);
		snap_p[i] = atomic_load(&sh.prot[i]);
	}
	for (uint64_t until = mono_ns() + 20000000u; mono_ns() < until;) {
		sched_yield();
		for (int i = 0; i < STW_WORKERS; i++) {
			if (atomic_load(&sh.unprot[i]) != snap_u[i] ||
			    atomic_load(&sh.prot[i]) != snap_p[i])
				fail_msg("worker %d ran while the enabler held the GIL", i);
		}
	}
	sh.plain++; /* ours while we hold the GIL */
	atomic_store(&sh.inside, 0);

	/* Let the workers take turns under the GIL. */
	gil_detach(&g, &mt);
	for (int i = 0; i < STW_WORKERS; i++)
		WAIT_FOR(atomic_load(&sh.prot[i]) > 1000);

	/* Switch off while they queue for it: they must go on without it. */
	gil_attach(&g, &mt);
	assert_int_equal(mt.holds, 1);
	for (int i = 0; i < STW_WORKERS; i++)
		snap_u[i] = atomic_load(&sh.unprot[i]);
	assert_int_equal(gil_disable_transient(&g, &mt), 1);
	for (int i = 0; i < STW_WORKERS; i++)
		WAIT_FOR(atomic_load(&sh.unprot[i]) > snap_u[i] + 1000);

	atomic_store(&sh.stop, 1);
	for (int i = 0; i < STW_WORKERS; i++)
		join_thread(th[i]);
	gil_detach(&g, &mt);
	gil_thread_unregister(&g, &mt);

	assert_no_thread_failures();
	assert_int_equal(atomic_load(&sh.violations), 0);
	for (int i = 0; i < STW_WORKERS; i++)
		total += a[i].local;
	assert_int_equal(sh.plain, total + 1);
	s = stats_of(&g);
	assert_int_equal(s.stw_events, 1);
	assert_int_equal(s.switches_on, 1);
	assert_int_equal(s.enabled, 0);
	assert_int_equal(s.registered, 0);
	print_message("stop-the-world: waited %llu ns for the world to stop\n",
	    (unsigned long long)s.stw_wait_ns);
	gil_destroy(&g);
}

/* gil_stop_world: exclusive access without switching the GIL on.  With
 * the GIL off, workers spinning through safe points must stand still until
 * gil_start_world; with the GIL on, the holder already excludes them and
 * nothing is stopped (stopping would wait forever for queued waiters). */
static void
test_stop_world_exclusive(void **state)
{
	static struct stw_shared sh;
	struct gil g;
	struct gil_thread mt;
	struct stw_arg a[STW_WORKERS];
	pthread_t th[STW_WORKERS];
	long snap[STW_WORKERS];
	struct gil_stats s;

	(void)state;
	stw_workers_start(&g, &mt, &sh, a, th);

	assert_int_equal(gil_stop_world(&g, &mt), 1);
	for (int i = 0; i < STW_WORKERS; i++)
		snap[i] = atomic_load(&sh.unprot[i]);
	for (uint64_t until = mono_ns() + 20000000u; mono_ns() < until;) {
		sched_yield();
		for (int i = 0; i < STW_WORKERS; i++)
			if (atomic_load(&sh.unprot[i]) != snap[i])
				fail_msg("worker %d ran while the world was stopped", i);
	}
	gil_start_world(&g);
	for (int i = 0; i < STW_WORKERS; i++)
		WAIT_FOR(atomic_load(&sh.unprot[i]) > snap[i] + 1000);
	s = stats_of(&g);
	assert_int_equal(s.stw_exclusive, 1);
	assert_int_equal(s.stw_events, 0);          /* not a GIL switch */
	assert_int_equal(s.enabled, 0);

	/* GIL on: the holder gets 0 and nothing is stopped. */
	assert_int_equal(gil_enable_transient(&g, &mt), 1);
	assert_int_equal(gil_stop_world(&g, &mt), 0);
	assert_int_equal(mt.holds, 1);
	assert_int_equal(stats_of(&g).stw_exclusive, 1);
	assert_int_equal(gil_disable_transient(&g, &mt), 1);

	atomic_store(&sh.stop, 1);
	for (int i = 0; i < STW_WORKERS; i++)
		join_thread(th[i]);
	gil_detach(&g, &mt);
	gil_thread_unregister(&g, &mt);
	assert_no_thread_failures();
	gil_destroy(&g);
}

/* A stop-the-world, step by step:
 *   1. W is attached and busy with no safe point: the enabler E must wait;
 *   2. A attaches during the stop: it must park, not run;
 *   3. W leaves by detaching (not parking): E must be told and finish;
 *   4. A resumes and waits for the GIL that E now holds;
 *   5. E detaches: A gets the GIL by hand-off. */

struct steps_thread {
	struct gil_thread t;
	_Atomic int phase;   /* how far the thread got */
	_Atomic int go;      /* main's permission to go on */
	int ret;
	int holds;
};

struct steps_shared {
	struct gil *g;
	struct steps_thread w, e, a;
};

static void *
steps_w(void *p)
{
	struct steps_shared *sh = p;
	struct steps_thread *me = &sh->w;

	gil_attach(sh->g, &me->t);
	atomic_store(&me->phase, 1);
	while (!atomic_load(&me->go))
		; /* busy, attached, no safe point */
	gil_detach(sh->g, &me->t);
	atomic_store(&me->phase, 2);
	return NULL;
}

static void *
steps_e(void *p)
{
	struct steps_shared *sh = p;
	struct steps_thread *me = &sh->e;

	gil_attach(sh->g, &me->t);
	atomic_store(&me->phase, 1);
	me->ret = gil_enable_transient(sh->g, &me->t);
	me->holds = me->t.holds;
	atomic_store(&me->phase, 2);
	while (!atomic_load(&me->go))
		; /* holds the GIL; nothing to stop for */
	gil_detach(sh->g, &me->t);
	atomic_store(&me->phase, 3);
	return NULL;
}

static void *
steps_a(void *p)
{
	struct steps_shared *sh = p;
	struct steps_thread *me = &sh->a;

	atomic_store(&me->phase, 1);
	gil_attach(sh->g, &me->t);
	me->holds = me->t.holds;
	atomic_store(&me->phase, 2);
	gil_detach(sh->g, &me->t);
	return NULL;
}

static void
test_stop_steps(void **state)
{
	static struct steps_shared sh;
	struct gil g;
	pthread_t tw, te, ta;
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	memset(&sh, 0, sizeof sh);
	sh.g = &g;
	gil_thread_register(&g, &sh.w.t);
	gil_thread_register(&g, &sh.e.t);
	gil_thread_register(&g, &sh.a.t);

	start_thread(&tw, steps_w, &sh);
	WAIT_FOR(atomic_load(&sh.w.phase) == 1);
	/* 1 */
	start_thread(&te, steps_e, &sh);
	WAIT_FOR(atomic_load(&g.hot.stw_requested) == 1); /* white box */
	/* 2 */
	start_thread(&ta, steps_a, &sh);
	WAIT_FOR(atomic_load(&sh.a.t.status) == GIL_PARKED ||
	    atomic_load(&sh.a.phase) == 2);
	assert_int_equal(atomic_load(&sh.a.phase), 1);
	assert_int_equal(atomic_load(&sh.e.phase), 1);
	assert_int_equal(stats_of(&g).stw_events, 0);
	/* 3 */
	atomic_store(&sh.w.go, 1);
	WAIT_FOR(atomic_load(&sh.e.phase) == 2);
	assert_int_equal(sh.e.ret, 1);
	assert_int_equal(sh.e.holds, 1);
	assert_int_equal(stats_of(&g).stw_events, 1);
	join_thread(tw);
	/* 4 */
	WAIT_FOR(stats_of(&g).waiters == 1);
	assert_int_equal(atomic_load(&sh.a.phase), 1);
	/* 5 */
	atomic_store(&sh.e.go, 1);
	join_thread(te);
	join_thread(ta);
	assert_int_equal(sh.a.holds, 1);

	gil_thread_unregister(&g, &sh.w.t);
	gil_thread_unregister(&g, &sh.e.t);
	gil_thread_unregister(&g, &sh.a.t);
	s = stats_of(&g);
	assert_int_equal(s.stw_events, 1);
	assert_int_equal(s.acquisitions, 2);
	assert_int_equal(s.handoffs, 1);
	assert_int_equal(s.enabled, 1);
	gil_destroy(&g);
}

/* Enable and disable from outside any thread state (caller NULL).  The
 * NULL disable leaves the attached worker owning the lock although the GIL
 * is off (a stale hold, gil.c "I3"): the next stop-the-world must make it
 * let go, or the attached enabler could not take the GIL. */

struct stale_shared {
	struct gil *g;
	_Atomic int stop;
	_Atomic int holds;     /* the worker's t.holds, published */
	_Atomic long progress;
};

static void *
stale_worker(void *p)
{
	struct stale_shared *sh = p;
	struct gil_thread t;

	gil_thread_register(sh->g, &t);
	gil_attach(sh->g, &t);
	while (!atomic_load(&sh->stop)) {
		gil_safepoint(sh->g, &t);
		atomic_store(&sh->holds, t.holds);
		atomic_fetch_add(&sh->progress, 1);
	}
	gil_detach(sh->g, &t);
	atomic_store(&sh->holds, t.holds);
	gil_thread_unregister(sh->g, &t);
	return NULL;
}

static void
test_null_caller_stale_hold(void **state)
{
	static struct stale_shared sh;
	struct gil g;
	struct gil_thread mt;
	pthread_t th;
	long snap;
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	memset(&sh, 0, sizeof sh);
	sh.g = &g;
	gil_thread_register(&g, &mt);
	start_thread(&th, stale_worker, &sh);
	WAIT_FOR(atomic_load(&sh.progress) > 100);

	/* On from outside: the worker parks, then resumes owning the GIL. */
	assert_int_equal(gil_enable_transient(&g, NULL), 1);
	WAIT_FOR(atomic_load(&sh.holds) == 1);
	/* Off from outside: the worker keeps running, still owning the lock. */
	assert_int_equal(gil_disable_transient(&g, NULL), 1);
	assert_int_equal(gil_is_enabled(&g), 0);
	snap = atomic_load(&sh.progress);
	WAIT_FOR(atomic_load(&sh.progress) > snap + 100);

	/* On again from an attached thread: the stop must strip the worker's
	 * stale hold so that main can take the GIL. */
	gil_attach(&g, &mt);
	assert_int_equal(mt.holds, 0);
	assert_int_equal(gil_enable_transient(&g, &mt), 1);
	assert_int_equal(mt.holds, 1);
	snap = atomic_load(&sh.progress);
	for (uint64_t until = mono_ns() + 10000000u; mono_ns() < until;) {
		sched_yield();
		if (atomic_load(&sh.progress) != snap)
			fail_msg("worker ran while main held the GIL");
	}
	assert_int_equal(gil_disable_transient(&g, &mt), 1);
	WAIT_FOR(atomic_load(&sh.progress) > snap + 100);
	assert_int_equal(atomic_load(&sh.holds), 0);

	atomic_store(&sh.stop, 1);
	join_thread(th);
	gil_detach(&g, &mt);
	gil_thread_unregister(&g, &mt);
	s = stats_of(&g);
	assert_int_equal(s.stw_events, 2);
	assert_int_equal(s.switches_on, 2);
	assert_int_equal(s.enabled, 0);
	gil_destroy(&g);
}

/* Several attached threads race to make the GIL permanent: exactly one call
 * wins, the hook fires once with the winner's reason, and afterwards every
 * thread runs under the GIL. */

#define PERM_THREADS 4

struct perm_shared {
	struct gil *g;
	pthread_barrier_t start;
	_Atomic int inside;
	_Atomic int violations;
	long plain; /* guarded by the GIL */
};

struct perm_arg {
	struct perm_shared *sh;
	char reason[16];
	int ret;
};

static void *
perm_worker(void *p)
{
	struct perm_arg *a = p;
	struct perm_shared *sh = a->sh;
	struct gil_thread t;

	gil_thread_register(sh->g, &t);
	gil_attach(sh->g, &t);
	pthread_barrier_wait(&sh->start);
	a->ret = gil_enable_permanent(sh->g, &t, a->reason);
	TCHECK(t.holds);
	for (int i = 0; i < 1000; i++) {
		if (atomic_exchange(&sh->inside, 1) != 0)
			atomic_fetch_add(&sh->violations, 1);
		sh->plain++;
		atomic_store(&sh->inside, 0);
		gil_safepoint(sh->g, &t);
	}
	gil_detach(sh->g, &t);
	gil_thread_unregister(sh->g, &t);
	return NULL;
}

static void
test_permanent_race(void **state)
{
	struct gil g;
	struct perm_shared sh;
	struct perm_arg a[PERM_THREADS];
	pthread_t th[PERM_THREADS];
	struct hook_rec h = { .calls = 0 };
	int winners = 0, winner = -1;
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	h.g = &g;
	gil_set_switch_hook(&g, record_hook, &h);
	memset(&sh, 0, sizeof sh);
	sh.g = &g;
	assert_int_equal(pthread_barrier_init(&sh.start, NULL, PERM_THREADS), 0);
	for (int i = 0; i < PERM_THREADS; i++) {
		a[i].sh = &sh;
		snprintf(a[i].reason, sizeof a[i].reason, "mod%d", i);
		a[i].ret = -1;
		start_thread(&th[i], perm_worker, &a[i]);
	}
	for (int i = 0; i < PERM_THREADS; i++)
		join_thread(th[i]);
	pthread_barrier_destroy(&sh.start);

	assert_no_thread_failures();
	for (int i = 0; i < PERM_THREADS; i++) {
		assert_true(a[i].ret == 0 || a[i].ret == 1);
		if (a[i].ret == 1) {
			winners++;
			winner = i;
		}
	}
	assert_int_equal(winners, 1);
	assert_int_equal(atomic_load(&h.calls), 1);
	assert_string_equal(h.reason, a[winner].reason);
	assert_int_equal(h.enabled_in_hook, 1);
	assert_int_equal(atomic_load(&sh.violations), 0);
	assert_int_equal(sh.plain, PERM_THREADS * 1000);
	s = stats_of(&g);
	assert_int_equal(s.enabled, INT_MAX);
	assert_int_equal(s.stw_events, 1);
	assert_int_equal(s.switches_on, 1);
	gil_destroy(&g);
}

/* ------------------------------------------------------------------------
 * A GIL that is never enabled costs no lock and no stop
 */

#define NE_THREADS 8
#define NE_ITERS 20000

static void *
ne_worker(void *p)
{
	struct gil *g = p;
	struct gil_thread t;

	gil_thread_register(g, &t);
	for (int i = 0; i < NE_ITERS; i++) {
		gil_attach(g, &t);
		TCHECK(!t.holds);
		gil_safepoint(g, &t);
		gil_detach(g, &t);
	}
	gil_thread_unregister(g, &t);
	return NULL;
}

static void
test_never_enabled(void **state)
{
	static const int modes[] = { GIL_MODE_AUTO, GIL_MODE_OFF };
	pthread_t th[NE_THREADS];
	struct gil g;
	struct gil_stats s;

	(void)state;
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		assert_int_equal(gil_init(&g, modes[m]), 0);
		for (int i = 0; i < NE_THREADS; i++)
			start_thread(&th[i], ne_worker, &g);
		for (int i = 0; i < NE_THREADS; i++)
			join_thread(th[i]);
		assert_no_thread_failures();
		s = stats_of(&g);
		assert_int_equal(s.acquisitions, 0);
		assert_int_equal(s.contended, 0);
		assert_int_equal(s.stw_events, 0);
		assert_int_equal(s.switches_on, 0);
		assert_int_equal(s.enabled, 0);
		assert_int_equal(s.registered, 0);
		gil_destroy(&g);
	}
}

/* ------------------------------------------------------------------------
 * Registration churn while the GIL is switched on and off
 */

#define CHURN_THREADS 6
#define CHURN_ITERS 300
#define CHURN_MIN_CYCLES 50
#define CHURN_MIN_HELD 100

struct churn_shared {
	struct gil *g;
	_Atomic int done;
	_Atomic int cycles;  /* main's completed enable/disable cycles */
	_Atomic int held;    /* churn attaches that got the GIL */
	uint64_t deadline;   /* immutable after start */
	long plain; /* touched only while the GIL is enabled (hence held) */
};

static void *
churn_worker(void *p)
{
	struct churn_shared *sh = p;

	/* At least CHURN_ITERS rounds, and until main has switched the GIL
	 * CHURN_MIN_CYCLES times and churn threads have held it
	 * CHURN_MIN_HELD times (so the test is not vacuous), or the deadline
	 * (the test then fails on the count). */
	for (int i = 0; i < CHURN_ITERS ||
	    ((atomic_load(&sh->cycles) < CHURN_MIN_CYCLES ||
	      atomic_load(&sh->held) < CHURN_MIN_HELD) && mono_ns() < sh->deadline); i++) {
		struct gil_thread t;

		gil_thread_register(sh->g, &t);
		gil_attach(sh->g, &t);
		/* Right after attach (no safe point in between), an enabled
		 * GIL must be ours. */
		if (gil_is_enabled(sh->g))
			TCHECK(t.holds);
		gil_safepoint(sh->g, &t);
		if (gil_is_enabled(sh->g)) {
			TCHECK(t.holds);
			sh->plain++;
		}
		if (t.holds)
			atomic_fetch_add(&sh->held, 1);
		gil_detach(sh->g, &t);
		gil_thread_unregister(sh->g, &t);
	}
	atomic_fetch_add(&sh->done, 1);
	return NULL;
}

static void
test_register_churn(void **state)
{
	struct gil g;
	struct gil_thread mt;
	struct churn_shared sh;
	pthread_t th[CHURN_THREADS];
	int cycles = 0;
	struct gil_stats s;

	(void)state;
	assert_int_equal(gil_init(&g, GIL_MODE_AUTO), 0);
	memset(&sh, 0, sizeof sh);
	sh.g = &g;
	sh.deadline = mono_ns() + WAIT_LIMIT_NS;
	gil_thread_register(&g, &mt);
	for (int i = 0; i < CHURN_THREADS; i++)
		start_thread(&th[i], churn_worker, &sh);
	while (atomic_load(&sh.done) < CHURN_THREADS) {
		gil_attach(&g, &mt);
		assert_int_equal(gil_enable_transient(&g, &mt), 1);
		assert_int_equal(mt.holds, 1);
		sh.plain++;
		/* Let churn threads that queued meanwhile have the GIL. */
		for (int k = 0; k < 3; k++) {
			gil_detach(&g, &mt);
			gil_attach(&g, &mt);
			assert_int_equal(mt.holds, 1);
			sh.plain++;
		}
		assert_int_equal(gil_disable_transient(&g, &mt), 1);
		gil_detach(&g, &mt);
		atomic_store(&sh.cycles, ++cycles);
	}
	for (int i = 0; i < CHURN_THREADS; i++)
		join_thread(th[i]);
	assert_no_thread_failures();
	s = stats_of(&g);
	assert_int_equal(s.registered, 1);
	assert_int_equal(s.stw_events, (uint64_t)cycles);
	assert_int_equal(s.switches_on, (uint64_t)cycles);
	assert_int_equal(s.enabled, 0);
	assert_int_equal(s.waiters, 0);
	assert_true(cycles >= CHURN_MIN_CYCLES);
	assert_true(atomic_load(&sh.held) >= CHURN_MIN_HELD);
	assert_int_equal(sh.plain, 4L * cycles + atomic_load(&sh.held));
	assert_int_equal(s.acquisitions, 4u * (uint64_t)cycles + (uint64_t)atomic_load(&sh.held));
	gil_thread_unregister(&g, &mt);
	assert_int_equal(stats_of(&g).registered, 0);
	print_message("churn: %d enable/disable cycles, %llu acquisitions, %llu handoffs\n",
	    cycles, (unsigned long long)s.acquisitions, (unsigned long long)s.handoffs);
	gil_destroy(&g);
}

/* ------------------------------------------------------------------------ */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_modes, reset_failures),
		cmocka_unit_test_setup(test_mode_off, reset_failures),
		cmocka_unit_test_setup(test_mode_on, reset_failures),
		cmocka_unit_test_setup(test_auto_counting, reset_failures),
		cmocka_unit_test_setup(test_too_many_transient, reset_failures),
		cmocka_unit_test_setup(test_mutual_exclusion, reset_failures),
		cmocka_unit_test_setup(test_fifo_order, reset_failures),
		cmocka_unit_test_setup(test_fairness, reset_failures),
		cmocka_unit_test_setup(test_rotation, reset_failures),
		cmocka_unit_test_setup(test_disable_releases_waiters, reset_failures),
		cmocka_unit_test_setup(test_stop_the_world, reset_failures),
		cmocka_unit_test_setup(test_stop_world_exclusive, reset_failures),
		cmocka_unit_test_setup(test_stop_steps, reset_failures),
		cmocka_unit_test_setup(test_null_caller_stale_hold, reset_failures),
		cmocka_unit_test_setup(test_permanent_race, reset_failures),
		cmocka_unit_test_setup(test_never_enabled, reset_failures),
		cmocka_unit_test_setup(test_register_churn, reset_failures),
	};

	/* Watchdog: a hang becomes a failure (SIGALRM ends the process). */
	alarm(60);
	return cmocka_run_group_tests_name("gil", tests, NULL, NULL);
}

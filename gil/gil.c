/*
 * gil/gil.c: the optional GIL (see gil.h for the API and the callers'
 * contract).
 *
 * DESIGN
 *
 * 1. The lock (struct gil_lock) is a FIFO queue lock with direct hand-off,
 *    built from one pthread mutex ('lock.mu') and one condition variable per
 *    thread (gil_thread.cv).  The mutex is held only for a few instructions.
 *    Taking the lock: if nobody owns it, become the owner; otherwise join the
 *    tail of the queue and sleep on your own condvar.  Releasing it: if the
 *    queue is not empty, make its head the owner *before* waking it, so the
 *    releaser (or a newcomer) cannot take the lock back while anyone waits.
 *    Waiters are served strictly in arrival order, nobody starves, and a wake
 *    is always for one chosen thread (no thundering herd).  A queued thread
 *    leaves the queue for one of two reasons (gil_thread.wake): it was handed
 *    the lock, or the GIL was turned off and it proceeds without the lock.
 *
 * 2. 'enabled' (SEMANTICS 7.3) says whether attached threads must hold the
 *    lock.  Turning it on while threads run attached without the lock would
 *    leave them running unprotected, so 0 -> nonzero happens only while the
 *    world is stopped:
 *      a. the requester sets 'stw_requested' and counts the registered
 *         threads that are ATTACHED (not itself): 'stw_remaining';
 *      b. each counted thread, at its next safe point (gil_safepoint,
 *         gil_detach, or a gil_enable_* / gil_disable_transient call), parks
 *         (or detaches) and decrements the count; the last one signals;
 *         threads that attach meanwhile park without being counted;
 *      c. the requester sets 'enabled', takes the lock itself if it is
 *         attached (nobody else can hold it: see invariant I3), clears
 *         'stw_requested' and wakes the parked threads;
 *      d. each parked thread resumes by taking the lock (queueing behind the
 *         requester) before it returns from its safe point.
 *    Turning it off needs no stop: the caller releases the lock and every
 *    queued thread leaves the queue and proceeds without it.
 *    When nothing ever enables the GIL, attach is one store to the thread's
 *    own record plus two loads of the read-mostly 'hot' line, detach is one
 *    store plus one load, and gil_safepoint is one relaxed load.
 *
 * ORDERING ARGUMENT (why a thread cannot slip past a stop-the-world)
 *
 *    attacher A:   store(A.status, ATTACHED);   r1 = load(stw_requested);
 *    requester S:  store(stw_requested, 1);     r2 = load(A.status);
 *
 *    All four accesses are memory_order_seq_cst, so they appear in one total
 *    order.  If r1 == 0, A's load comes before S's store in that order, hence
 *    A's store comes before S's load: r2 == ATTACHED, S counts A and waits
 *    for it.  If r2 != ATTACHED, S's load comes before A's store, hence S's
 *    store comes before A's load: r1 == 1 and A parks.  Both outcomes may
 *    happen together (A parks and tells S); neither-at-once is impossible.
 *    gil_detach is the mirror image (store DETACHED, then load the flag): if
 *    S counted the thread (read ATTACHED before the DETACHED store), the
 *    detaching thread sees the flag and tells S under 'mu'.  Everything else
 *    (the count, parking, the restart) happens under 'mu'.  A thread that
 *    attached without seeing the flag and then read 'enabled' == 0 runs
 *    unprotected only until its next safe point, and S does not set
 *    'enabled' before that thread has parked there.
 *
 * INVARIANTS
 *
 *    I1. lock.head != NULL implies lock.owner != NULL (hand-off never leaves
 *        a free lock with waiters).
 *    I2. When 'enabled' is 0 the lock queue is empty: the disable that sets
 *        0 empties it in the same critical section, and lock_acquire checks
 *        'enabled' under lock.mu before queueing.
 *    I3. A PARKED thread does not own the lock (park releases it).  So when
 *        every counted thread has stopped, lock.owner is NULL or the
 *        requester.
 *    I4. 'enabled' goes from 0 to nonzero only between steps a and c above,
 *        with 'mu' held.  While it is nonzero and no stop is in progress,
 *        every ATTACHED thread that is outside a gil_* call owns the lock.
 *    I5. At most one stop-the-world at a time: it is started under 'mu' only
 *        when 'stw_requested' is 0, and everyone who finds it set parks (or
 *        waits) before looking again.
 *    I6. Nobody blocks for the lock while holding 'mu' (the requester takes
 *        it without waiting, by I3).
 *
 * LOCK ORDER (enum gil_lock_rank; checked in builds without NDEBUG)
 *
 *    gil.mu (GIL_RANK_WORLD)  before  gil.lock.mu (GIL_RANK_LOCK)
 *
 *    Both are leaves with respect to the rest of the runtime: no function
 *    here calls out while holding either.  The GIL itself (ownership of the
 *    lock) is not a mutex: a thread may hold it while taking 'mu', which is
 *    safe by I6.
 *
 * MAP
 *
 *    lock ranks and small helpers / the FIFO lock / init, destroy, hook /
 *    registration / stop-the-world / attach, detach, safepoint /
 *    enable, disable / queries
 */
#include "gil.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Why a thread left the lock queue (gil_thread.wake). */
enum gil_wake {
	GIL_WAKE_WAIT = 0,   /* still queued */
	GIL_WAKE_GRANTED,    /* the releaser made it the owner */
	GIL_WAKE_PROCEED     /* the GIL was turned off: run without it */
};

/* ------------------------------------------------------------------------
 * Lock ranks and small helpers
 */

/* The lock order as data: a thread may take a mutex only if it holds none of
 * equal or higher rank. */
enum gil_lock_rank {
	GIL_RANK_WORLD = 0, /* struct gil.mu */
	GIL_RANK_LOCK = 1,  /* struct gil_lock.mu */
	GIL_RANK_COUNT
};

#ifndef NDEBUG
/* Bit r set while this thread holds the mutex of rank r. */
static _Thread_local unsigned gil_ranks_held;

static int
rank_held(enum gil_lock_rank r)
{
	return (gil_ranks_held >> r) & 1u;
}

static int
no_rank_held(void)
{
	return gil_ranks_held == 0;
}
#endif

static void
gil_fatal(const char *msg)
{
	fprintf(stderr, "pymodrt: fatal error: %s\n", msg);
	fflush(stderr);
	abort();
}

static void
mu_lock(pthread_mutex_t *m, enum gil_lock_rank r)
{
#ifndef NDEBUG
	if ((gil_ranks_held >> r) != 0)
		gil_fatal("GIL lock order violated (gil.mu is taken before gil.lock.mu, each once)");
	gil_ranks_held |= 1u << r;
#else
	(void)r;
#endif
	if (pthread_mutex_lock(m) != 0)
		gil_fatal("pthread_mutex_lock failed in the GIL layer");
}

static void
mu_unlock(pthread_mutex_t *m, enum gil_lock_rank r)
{
#ifndef NDEBUG
	assert(rank_held(r));
	gil_ranks_held &= ~(1u << r);
#else
	(void)r;
#endif
	if (pthread_mutex_unlock(m) != 0)
		gil_fatal("pthread_mutex_unlock failed in the GIL layer");
}

static void
cv_wait(pthread_cond_t *cv, pthread_mutex_t *m)
{
	if (pthread_cond_wait(cv, m) != 0)
		gil_fatal("pthread_cond_wait failed in the GIL layer");
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Statistics are written only under a mutex, so a plain load+store is
 * enough; the atomics let gil_stats() read them without locking. */
static void
stat_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
	    memory_order_relaxed);
}

static void
stat_sub(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) - n,
	    memory_order_relaxed);
}

static int
load_enabled(const struct gil *g)
{
	return atomic_load_explicit(&g->hot.enabled, memory_order_acquire);
}

static int
load_status(const struct gil_thread *t)
{
	return atomic_load_explicit(&t->status, memory_order_seq_cst);
}

static int
is_attached(const struct gil_thread *t)
{
	return t != NULL && load_status(t) == GIL_ATTACHED;
}

/* ------------------------------------------------------------------------
 * The FIFO lock
 */

/* Take the lock for 't', waiting in FIFO order.  Returns 1 if 't' now owns
 * it, 0 if the GIL is disabled (on entry, or turned off while 't' waited). */
static int
lock_acquire(struct gil *g, struct gil_thread *t)
{
	struct gil_lock *l = &g->lock;
	uint64_t t0;
	int got;

	assert(!t->holds);
	mu_lock(&l->mu, GIL_RANK_LOCK);
	if (load_enabled(g) == 0) {
		/* I2: nothing to wait for. */
		mu_unlock(&l->mu, GIL_RANK_LOCK);
		return 0;
	}
	assert(l->owner != t);
	if (l->owner == NULL) {
		assert(l->head == NULL); /* I1 */
		l->owner = t;
		t->ticket = 0;
		got = 1;
	} else {
		t->ticket = ++l->tickets;
		t->wake = GIL_WAKE_WAIT;
		t->qnext = NULL;
		if (l->tail != NULL)
			l->tail->qnext = t;
		else
			l->head = t;
		l->tail = t;
		stat_add(&g->stats.waiters, 1);
		stat_add(&g->stats.contended, 1);
		t0 = now_ns();
		while (t->wake == GIL_WAKE_WAIT)
			cv_wait(&t->cv, &l->mu);
		stat_add(&g->stats.wait_ns, now_ns() - t0);
		/* Whoever woke us unlinked us and adjusted 'waiters'. */
		got = t->wake == GIL_WAKE_GRANTED;
		assert(!got || l->owner == t);
	}
	if (got)
		stat_add(&g->stats.acquisitions, 1);
	mu_unlock(&l->mu, GIL_RANK_LOCK);
	t->holds = got;
	return got;
}

/* Remove the oldest waiter from the queue.  lock.mu held. */
static struct gil_thread *
lock_dequeue_locked(struct gil *g)
{
	struct gil_lock *l = &g->lock;
	struct gil_thread *w = l->head;

	assert(rank_held(GIL_RANK_LOCK));
	if (w != NULL) {
		l->head = w->qnext;
		if (l->head == NULL)
			l->tail = NULL;
		w->qnext = NULL;
		stat_sub(&g->stats.waiters, 1);
	}
	return w;
}

/* Wake every queued thread to proceed without the lock.  lock.mu held. */
static void
lock_release_waiters_locked(struct gil *g)
{
	struct gil_thread *w;

	assert(rank_held(GIL_RANK_LOCK));
	while ((w = lock_dequeue_locked(g)) != NULL) {
		w->wake = GIL_WAKE_PROCEED;
		/* Signal under lock.mu: once it sees 'wake', the waiter may
		 * return, detach and destroy its condvar. */
		pthread_cond_signal(&w->cv);
	}
}

/* 't' gives up the lock: straight to the oldest waiter if there is one. */
static void
lock_release(struct gil *g, struct gil_thread *t)
{
	struct gil_lock *l = &g->lock;
	struct gil_thread *w;

	assert(t->holds);
	mu_lock(&l->mu, GIL_RANK_LOCK);
	assert(l->owner == t);
	if (load_enabled(g) == 0) {
		/* A stale hold (the GIL was turned off by a thread that did not
		 * own it); I2 says the queue is already empty. */
		lock_release_waiters_locked(g);
		l->owner = NULL;
	} else if ((w = lock_dequeue_locked(g)) != NULL) {
		l->owner = w;
		w->wake = GIL_WAKE_GRANTED;
		stat_add(&g->stats.handoffs, 1);
		pthread_cond_signal(&w->cv);
	} else {
		l->owner = NULL;
	}
	mu_unlock(&l->mu, GIL_RANK_LOCK);
	t->holds = 0;
}

/* ------------------------------------------------------------------------
 * Init, destroy, hook
 */

int
gil_init(struct gil *g, int mode)
{
	int err;

	if (mode != GIL_MODE_OFF && mode != GIL_MODE_ON && mode != GIL_MODE_AUTO)
		return -EINVAL;
	memset(g, 0, sizeof *g);
	atomic_init(&g->hot.stw_requested, 0);
	atomic_init(&g->hot.enabled, mode == GIL_MODE_ON ? INT_MAX : 0);
	g->hot.mode = mode;
	atomic_init(&g->stats.acquisitions, 0);
	atomic_init(&g->stats.contended, 0);
	atomic_init(&g->stats.wait_ns, 0);
	atomic_init(&g->stats.handoffs, 0);
	atomic_init(&g->stats.waiters, 0);
	atomic_init(&g->stats.stw_events, 0);
	atomic_init(&g->stats.stw_exclusive, 0);
	atomic_init(&g->stats.stw_wait_ns, 0);
	atomic_init(&g->stats.switches_on, 0);
	atomic_init(&g->stats.registered, 0);

	if ((err = pthread_mutex_init(&g->mu, NULL)) != 0)
		goto fail_mu;
	if ((err = pthread_cond_init(&g->stw_cv, NULL)) != 0)
		goto fail_stw_cv;
	if ((err = pthread_cond_init(&g->world_cv, NULL)) != 0)
		goto fail_world_cv;
	if ((err = pthread_mutex_init(&g->lock.mu, NULL)) != 0)
		goto fail_lock_mu;
	return 0;

fail_lock_mu:
	pthread_cond_destroy(&g->world_cv);
fail_world_cv:
	pthread_cond_destroy(&g->stw_cv);
fail_stw_cv:
	pthread_mutex_destroy(&g->mu);
fail_mu:
	return -err;
}

void
gil_destroy(struct gil *g)
{
	assert(no_rank_held());
	if (g->threads_head != NULL)
		gil_fatal("gil_destroy: threads are still registered on this GIL");
	assert(g->lock.owner == NULL && g->lock.head == NULL);
	assert(atomic_load(&g->hot.stw_requested) == 0);
	pthread_mutex_destroy(&g->lock.mu);
	pthread_cond_destroy(&g->world_cv);
	pthread_cond_destroy(&g->stw_cv);
	pthread_mutex_destroy(&g->mu);
}

void
gil_set_switch_hook(struct gil *g, gil_switch_hook fn, void *ctx)
{
	assert(no_rank_held());
	mu_lock(&g->mu, GIL_RANK_WORLD);
	g->switch_hook = fn;
	g->switch_hook_ctx = ctx;
	mu_unlock(&g->mu, GIL_RANK_WORLD);
}

/* ------------------------------------------------------------------------
 * Registration
 */

void
gil_thread_register(struct gil *g, struct gil_thread *t)
{
	assert(no_rank_held());
	memset(t, 0, sizeof *t);
	atomic_init(&t->status, GIL_DETACHED);
	t->gil = g;
	/* glibc's pthread_cond_init cannot fail with default attributes. */
	if (pthread_cond_init(&t->cv, NULL) != 0)
		gil_fatal("pthread_cond_init failed in gil_thread_register");

	mu_lock(&g->mu, GIL_RANK_WORLD);
	t->prev = g->threads_tail;
	t->next = NULL;
	if (g->threads_tail != NULL)
		g->threads_tail->next = t;
	else
		g->threads_head = t;
	g->threads_tail = t;
	stat_add(&g->stats.registered, 1);
	mu_unlock(&g->mu, GIL_RANK_WORLD);
}

void
gil_thread_unregister(struct gil *g, struct gil_thread *t)
{
	assert(no_rank_held());
	assert(t->gil == g);
	mu_lock(&g->mu, GIL_RANK_WORLD);
	if (load_status(t) != GIL_DETACHED)
		gil_fatal("gil_thread_unregister: the thread is not detached");
	assert(!t->holds && !t->stw_counted && t->qnext == NULL);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		g->threads_head = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		g->threads_tail = t->prev;
	t->prev = t->next = NULL;
	stat_sub(&g->stats.registered, 1);
	mu_unlock(&g->mu, GIL_RANK_WORLD);
	pthread_cond_destroy(&t->cv);
	t->gil = NULL;
}

/* ------------------------------------------------------------------------
 * Stop-the-world
 */

/* If the stop-the-world requester counted 't', tell it 't' has stopped.
 * mu held. */
static void
stw_uncount_locked(struct gil *g, struct gil_thread *t)
{
	assert(rank_held(GIL_RANK_WORLD));
	if (t->stw_counted) {
		t->stw_counted = 0;
		assert(g->stw_remaining > 0);
		if (--g->stw_remaining == 0)
			pthread_cond_signal(&g->stw_cv);
	}
}

/* The ATTACHED thread 't' stops until the world restarts.  mu held, stop
 * requested.  Returns ATTACHED, with mu held, not owning the lock: the
 * caller then takes the lock (after dropping mu) if the GIL is enabled. */
static void
park_locked(struct gil *g, struct gil_thread *t)
{
	assert(rank_held(GIL_RANK_WORLD));
	assert(atomic_load(&g->hot.stw_requested));
	assert(load_status(t) == GIL_ATTACHED);
	if (t->holds)
		lock_release(g, t); /* I3 */
	stw_uncount_locked(g, t);
	atomic_store(&t->status, GIL_PARKED);
	/* A new stop may begin before we wake up: it counts us as stopped
	 * (PARKED), so we keep waiting. */
	while (atomic_load(&g->hot.stw_requested))
		cv_wait(&g->world_cv, &g->mu);
	atomic_store(&t->status, GIL_ATTACHED);
}

/* Stop every ATTACHED thread registered on 'g' except 'self' (which may be
 * NULL).  mu held, no stop in progress.  Returns with the world stopped and
 * mu held. */
static void
stop_world_locked(struct gil *g, struct gil_thread *self)
{
	struct gil_thread *t;
	uint64_t t0;

	assert(rank_held(GIL_RANK_WORLD) && !rank_held(GIL_RANK_LOCK));
	assert(atomic_load(&g->hot.stw_requested) == 0);
	assert(g->stw_remaining == 0);
	t0 = now_ns();
	atomic_store(&g->hot.stw_requested, 1); /* seq_cst: see ORDERING */
	for (t = g->threads_head; t != NULL; t = t->next) {
		if (t == self)
			continue;
		assert(!t->stw_counted);
		if (load_status(t) == GIL_ATTACHED) { /* seq_cst */
			t->stw_counted = 1;
			g->stw_remaining++;
		}
	}
	while (g->stw_remaining > 0)
		cv_wait(&g->stw_cv, &g->mu);
	stat_add(&g->stats.stw_wait_ns, now_ns() - t0);
}

/* Restart the world.  mu held. */
static void
start_world_locked(struct gil *g)
{
	assert(rank_held(GIL_RANK_WORLD));
	assert(atomic_load(&g->hot.stw_requested) == 1);
	atomic_store(&g->hot.stw_requested, 0);
	pthread_cond_broadcast(&g->world_cv);
}

/* The requester takes the lock while the world is stopped: by I3 it is free
 * (or already ours), so this never waits.  mu held. */
static void
lock_take_stopped_locked(struct gil *g, struct gil_thread *t)
{
	struct gil_lock *l = &g->lock;

	assert(rank_held(GIL_RANK_WORLD));
	mu_lock(&l->mu, GIL_RANK_LOCK);
	assert(l->head == NULL);
	if (l->owner == NULL) {
		l->owner = t;
		t->ticket = 0;
		stat_add(&g->stats.acquisitions, 1);
	} else if (l->owner != t) {
		gil_fatal("GIL owned by a stopped thread (invariant I3 broken)");
	}
	mu_unlock(&l->mu, GIL_RANK_LOCK);
	t->holds = 1;
}

/* Bring the ATTACHED thread 't' to a state where it may run: no stop in
 * progress, and owning the lock if the GIL is enabled.  No mutex held. */
static void
settle(struct gil *g, struct gil_thread *t)
{
	assert(no_rank_held());
	for (;;) {
		if (atomic_load(&g->hot.stw_requested)) {
			mu_lock(&g->mu, GIL_RANK_WORLD);
			if (atomic_load(&g->hot.stw_requested))
				park_locked(g, t);
			mu_unlock(&g->mu, GIL_RANK_WORLD);
			continue;
		}
		if (!t->holds && load_enabled(g) != 0) {
			/* Returns 0 if the GIL was turned off meanwhile; either
			 * way look at the flags again, since a stop may have
			 * started while we waited. */
			lock_acquire(g, t);
			continue;
		}
		return;
	}
}

/* ------------------------------------------------------------------------
 * Attach, detach, safepoint
 */

void
gil_attach(struct gil *g, struct gil_thread *t)
{
	assert(t->gil == g);
	assert(load_status(t) == GIL_DETACHED && !t->holds);
	atomic_store(&t->status, GIL_ATTACHED);          /* seq_cst: ORDERING */
	if (atomic_load(&g->hot.stw_requested) == 0 &&   /* seq_cst: ORDERING */
	    load_enabled(g) == 0)
		return;
	settle(g, t);
}

void
gil_detach(struct gil *g, struct gil_thread *t)
{
	assert(t->gil == g);
	assert(load_status(t) == GIL_ATTACHED);
	if (t->holds)
		lock_release(g, t);
	atomic_store(&t->status, GIL_DETACHED);          /* seq_cst: ORDERING */
	if (atomic_load(&g->hot.stw_requested) == 0)     /* seq_cst: ORDERING */
		return;
	mu_lock(&g->mu, GIL_RANK_WORLD);
	stw_uncount_locked(g, t);
	mu_unlock(&g->mu, GIL_RANK_WORLD);
}

void
gil_safepoint(struct gil *g, struct gil_thread *t)
{
	assert(t->gil == g);
	assert(load_status(t) == GIL_ATTACHED);
	/* Relaxed is enough: 't' published ATTACHED when it attached, so the
	 * requester counted it and waits; we only need to see the flag
	 * eventually, and the slow path re-reads it under mu. */
	if (atomic_load_explicit(&g->hot.stw_requested, memory_order_relaxed) == 0)
		return;
	settle(g, t);
}

/* ------------------------------------------------------------------------
 * Enable, disable
 */

/* Lock mu at a moment when no stop-the-world is in progress.  An attached
 * caller that meets one parks like at any safe point (it was counted), and
 * takes the lock afterwards if the GIL was turned on. */
static void
world_lock_settled(struct gil *g, struct gil_thread *caller)
{
	assert(no_rank_held());
	for (;;) {
		mu_lock(&g->mu, GIL_RANK_WORLD);
		if (atomic_load(&g->hot.stw_requested) == 0)
			return;
		if (is_attached(caller)) {
			park_locked(g, caller);
			mu_unlock(&g->mu, GIL_RANK_WORLD);
			settle(g, caller); /* I6: lock taken without mu */
		} else {
			while (atomic_load(&g->hot.stw_requested))
				cv_wait(&g->world_cv, &g->mu);
			mu_unlock(&g->mu, GIL_RANK_WORLD);
		}
	}
}

/* 0 -> 'value': stop the world, publish, take the lock if the caller is
 * attached, restart.  mu held, enabled == 0. */
static void
turn_on_locked(struct gil *g, struct gil_thread *caller, int value)
{
	assert(rank_held(GIL_RANK_WORLD));
	assert(load_enabled(g) == 0 && value > 0);
	stop_world_locked(g, caller);
	stat_add(&g->stats.stw_events, 1);
	atomic_store_explicit(&g->hot.enabled, value, memory_order_release);
	stat_add(&g->stats.switches_on, 1);
	if (is_attached(caller))
		lock_take_stopped_locked(g, caller);
	start_world_locked(g);
}

int
gil_stop_world(struct gil *g, struct gil_thread *caller)
{
	assert(is_attached(caller));
	world_lock_settled(g, caller);
	if (load_enabled(g) != 0) {
		/* Settled and attached with the GIL on: the caller owns it
		 * (I4), which already excludes every other attached thread;
		 * stopping them would wait for waiters that never park. */
		assert(caller->holds);
		mu_unlock(&g->mu, GIL_RANK_WORLD);
		return 0;
	}
	stop_world_locked(g, caller);
	stat_add(&g->stats.stw_exclusive, 1);
	/* Keep the world stopped without holding mu: stw_requested stays
	 * set, so attachers and safe points park on world_cv, and the caller
	 * may take locks of any rank until gil_start_world(). */
	mu_unlock(&g->mu, GIL_RANK_WORLD);
	return 1;
}

void
gil_start_world(struct gil *g)
{
	mu_lock(&g->mu, GIL_RANK_WORLD);
	start_world_locked(g);
	mu_unlock(&g->mu, GIL_RANK_WORLD);
}

int
gil_enable_transient(struct gil *g, struct gil_thread *caller)
{
	int e;

	if (g->hot.mode != GIL_MODE_AUTO)
		return 0;
	world_lock_settled(g, caller);
	e = load_enabled(g);
	if (e == INT_MAX) {
		mu_unlock(&g->mu, GIL_RANK_WORLD);
		return 0;
	}
	if (e == INT_MAX - 1)
		gil_fatal("Too many transient requests to enable the GIL");
	if (e > 0) {
		assert(!is_attached(caller) || caller->holds); /* I4 */
		atomic_store_explicit(&g->hot.enabled, e + 1, memory_order_release);
		mu_unlock(&g->mu, GIL_RANK_WORLD);
		return 0;
	}
	turn_on_locked(g, caller, 1);
	mu_unlock(&g->mu, GIL_RANK_WORLD);
	return 1;
}

int
gil_enable_permanent(struct gil *g, struct gil_thread *caller,
    const char *reason)
{
	gil_switch_hook hook;
	void *ctx;
	int e;

	if (g->hot.mode != GIL_MODE_AUTO)
		return 0;
	world_lock_settled(g, caller);
	e = load_enabled(g);
	if (e == INT_MAX) {
		mu_unlock(&g->mu, GIL_RANK_WORLD);
		return 0;
	}
	if (e == 0) {
		turn_on_locked(g, caller, INT_MAX);
	} else {
		assert(!is_attached(caller) || caller->holds); /* I4 */
		atomic_store_explicit(&g->hot.enabled, INT_MAX, memory_order_release);
	}
	hook = g->switch_hook;
	ctx = g->switch_hook_ctx;
	mu_unlock(&g->mu, GIL_RANK_WORLD);
	/* Only one call can see e != INT_MAX under mu and set it, so the hook
	 * runs once per GIL. */
	if (hook != NULL)
		hook(ctx, reason);
	return 1;
}

int
gil_disable_transient(struct gil *g, struct gil_thread *caller)
{
	struct gil_lock *l = &g->lock;
	int e;

	if (g->hot.mode != GIL_MODE_AUTO)
		return 0;
	world_lock_settled(g, caller);
	e = load_enabled(g);
	if (e == INT_MAX) {
		mu_unlock(&g->mu, GIL_RANK_WORLD);
		return 0;
	}
	if (e == 0) {
		mu_unlock(&g->mu, GIL_RANK_WORLD);
		return -EINVAL;
	}
	assert(!is_attached(caller) || caller->holds); /* I4 */
	atomic_store_explicit(&g->hot.enabled, e - 1, memory_order_release);
	if (e - 1 > 0) {
		mu_unlock(&g->mu, GIL_RANK_WORLD);
		return 0;
	}
	/* Off.  Establish I2 (empty queue) in the same mu section that set 0,
	 * and let the caller drop the lock.  If another thread owns it (caller
	 * not attached), that thread drops it at its next detach or park. */
	mu_lock(&l->mu, GIL_RANK_LOCK);
	lock_release_waiters_locked(g);
	if (caller != NULL && caller->holds) {
		assert(l->owner == caller);
		l->owner = NULL;
		caller->holds = 0;
	}
	mu_unlock(&l->mu, GIL_RANK_LOCK);
	mu_unlock(&g->mu, GIL_RANK_WORLD);
	return 1;
}

/* ------------------------------------------------------------------------
 * Queries
 */

int
gil_is_enabled(const struct gil *g)
{
	return load_enabled(g) != 0;
}

void
gil_stats(const struct gil *g, struct gil_stats *out)
{
	const struct gil_counters *c = &g->stats;

	out->acquisitions = atomic_load_explicit(&c->acquisitions, memory_order_relaxed);
	out->contended = atomic_load_explicit(&c->contended, memory_order_relaxed);
	out->wait_ns = atomic_load_explicit(&c->wait_ns, memory_order_relaxed);
	out->handoffs = atomic_load_explicit(&c->handoffs, memory_order_relaxed);
	out->waiters = atomic_load_explicit(&c->waiters, memory_order_relaxed);
	out->stw_events = atomic_load_explicit(&c->stw_events, memory_order_relaxed);
	out->stw_exclusive = atomic_load_explicit(&c->stw_exclusive, memory_order_relaxed);
	out->stw_wait_ns = atomic_load_explicit(&c->stw_wait_ns, memory_order_relaxed);
	out->switches_on = atomic_load_explicit(&c->switches_on, memory_order_relaxed);
	out->registered = atomic_load_explicit(&c->registered, memory_order_relaxed);
	out->enabled = load_enabled(g);
	out->mode = g->hot.mode;
}

#ifndef PYMODRT_BUILD_CORE
#error "gil/gil.h is internal to pymodrt"
#endif

/*
 * gil/gil.h: the optional global interpreter lock, independent of objects.
 *
 * This layer knows nothing of Python objects, modules or interpreters.  The
 * runtime owns every struct declared here (no function in this layer
 * allocates):
 *
 *   struct gil         one per GIL object: one per interpreter created with
 *                      an own GIL, one shared by all the others.
 *   struct gil_thread  one per (thread state, GIL) pair, embedded in the
 *                      thread state and registered on its GIL for as long as
 *                      the thread state exists.
 *
 * A thread state is ATTACHED while it may touch objects and DETACHED
 * otherwise.  gil_attach(), gil_detach() and gil_safepoint() are the safe
 * points: a stop-the-world (used only to switch the GIL on while threads run
 * without it) parks attached threads there.
 *
 * Contract for callers (the runtime):
 *   - A thread calls gil_attach, gil_detach, gil_safepoint and the
 *     enable/disable functions only with its own gil_thread (or, for the
 *     enable/disable functions, with NULL).
 *   - An attached thread that may block for a long time (on another lock, on
 *     I/O, on a condition) detaches first or calls gil_safepoint while it
 *     waits.  Otherwise a stop-the-world, and every thread that later wants
 *     the GIL, waits for it.
 *   - While the GIL is enabled, an attached thread holds it and keeps it
 *     until it detaches.  gil_safepoint() does not hand it to waiters.
 *   - No function of this layer calls out while it holds one of its internal
 *     mutexes (the switch hook runs after they are released).  So those
 *     mutexes rank below every lock of the runtime, and the runtime may call
 *     in while holding any of its own locks.  Holding a runtime lock while
 *     calling gil_attach() is the runtime's decision, like any blocking call.
 *
 * Error convention: int-returning functions return 0 on success and a
 * negative errno value on failure (-EINVAL for a bad argument or an
 * unbalanced request).  The enable/disable functions also return 1 ("this
 * call changed the state"), as CPython's functions do.
 */
#ifndef PYMODRT_GIL_H
#define PYMODRT_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Configuration modes: the values of PyConfig.enable_gil. */
enum gil_mode {
	GIL_MODE_AUTO = -1, /* managed by requests (the default) */
	GIL_MODE_OFF = 0,   /* never enabled; requests are no-ops returning 0 */
	GIL_MODE_ON = 1     /* enabled from gil_init, permanently */
};

/* struct gil_thread.status */
enum gil_thread_status {
	GIL_DETACHED = 0, /* not touching objects; need not hold the GIL */
	GIL_ATTACHED = 1, /* may touch objects; holds the GIL if it is enabled
			     (or is on its way to it inside a gil_* call) */
	GIL_PARKED = 2    /* attached, but stopped by a stop-the-world */
};

/* Told when the GIL becomes permanently enabled, with the reason given to
 * gil_enable_permanent() (the runtime passes the module name).  Runs at most
 * once per struct gil, on the enabling thread, after the world has been
 * restarted, with no internal lock held and with the GIL held by that thread
 * if it is attached. */
typedef void (*gil_switch_hook)(void *ctx, const char *reason);

/* Padding that keeps read-mostly fields off cache lines that are written: a
 * full line on each side, whatever the struct's address.  Padding rather than
 * _Alignas, so that a struct gil embedded in memory from an allocator with
 * 16-byte alignment is still correctly aligned. */
#define GIL_CACHELINE 64

struct gil_thread {
	/* atomic: written by the owner thread (DETACHED <-> ATTACHED) and, while
	 * it parks, by the owner thread under gil.mu; read by stop-the-world
	 * requesters under gil.mu. */
	_Atomic int status;
	/* owner thread only: 1 while this thread owns the GIL lock. */
	int holds;
	/* guarded by gil.mu: the current stop-the-world requester counted this
	 * thread as running and waits for it to park or detach. */
	int stw_counted;
	/* guarded by gil.lock.mu: why the thread left the lock queue
	 * (enum gil_wake in gil.c). */
	int wake;
	/* guarded by gil.lock.mu: queue position of this thread's last wait for
	 * the lock (1, 2, ... in arrival order per GIL), 0 if its last
	 * acquisition did not wait.  Lets tests check FIFO order. */
	uint64_t ticket;
	/* guarded by gil.lock.mu: next thread in the lock's FIFO queue. */
	struct gil_thread *qnext;
	/* guarded by gil.mu: links of the GIL's list of registered threads. */
	struct gil_thread *prev, *next;
	/* immutable after register: the GIL this record is registered on. */
	struct gil *gil;
	/* waited on with gil.lock.mu while queued for the lock; signalled by
	 * the thread that hands the lock over (or turns the GIL off). */
	pthread_cond_t cv;
};

/* The FIFO-fair blocking lock that is the GIL proper.  Ownership passes
 * directly from the releaser to the oldest waiter. */
struct gil_lock {
	pthread_mutex_t mu;             /* protects the fields below; rank GIL_RANK_LOCK */
	struct gil_thread *owner;       /* guarded by mu; NULL when free */
	struct gil_thread *head, *tail; /* guarded by mu: waiters, oldest first */
	uint64_t tickets;               /* guarded by mu: last ticket handed out */
};

/* Statistics (struct gil_stats is a snapshot of these).  Written under the
 * mutex named on each line, read without a lock by gil_stats(). */
struct gil_counters {
	_Atomic uint64_t acquisitions; /* atomic, written under lock.mu: lock taken */
	_Atomic uint64_t contended;    /* atomic, written under lock.mu: ... after waiting */
	_Atomic uint64_t wait_ns;      /* atomic, written under lock.mu: total waiting time */
	_Atomic uint64_t handoffs;     /* atomic, written under lock.mu: releases to a waiter */
	_Atomic uint64_t waiters;      /* atomic, written under lock.mu: threads queued now */
	_Atomic uint64_t stw_events;   /* atomic, written under gil.mu: stop-the-worlds
	                                * that switched the GIL on */
	_Atomic uint64_t stw_exclusive; /* atomic, written under gil.mu: gil_stop_world */
	_Atomic uint64_t stw_wait_ns;  /* atomic, written under gil.mu: time spent stopping */
	_Atomic uint64_t switches_on;  /* atomic, written under gil.mu: 0 -> enabled */
	_Atomic uint64_t registered;   /* atomic, written under gil.mu: registered threads */
};

struct gil {
	char pad_before[GIL_CACHELINE];
	/* Read on every attach/detach/safepoint and written only when the GIL
	 * is switched: kept on a line of their own. */
	struct {
		/* atomic, written under mu: a stop-the-world is in progress. */
		_Atomic int stw_requested;
		/* atomic, written under mu: 0 disabled, n for n transient
		 * requests, INT_MAX permanently enabled (SEMANTICS 7.3).  Goes
		 * from 0 to nonzero only while the world is stopped. */
		_Atomic int enabled;
		/* immutable after init: enum gil_mode. */
		int mode;
	} hot;
	char pad_after[GIL_CACHELINE];

	/* Serialises state changes (enable/disable), stop-the-world and the
	 * registration list.  Rank GIL_RANK_WORLD: taken before lock.mu. */
	pthread_mutex_t mu;
	pthread_cond_t stw_cv;              /* with mu: the requester waits for stw_remaining == 0 */
	pthread_cond_t world_cv;            /* with mu: parked threads wait for the restart */
	struct gil_thread *threads_head;    /* guarded by mu: registered threads */
	struct gil_thread *threads_tail;    /* guarded by mu */
	unsigned stw_remaining;             /* guarded by mu: counted threads not yet stopped */
	gil_switch_hook switch_hook;        /* guarded by mu */
	void *switch_hook_ctx;              /* guarded by mu */

	struct gil_lock lock;
	struct gil_counters stats;
};

/* A snapshot of a GIL's statistics.  Each field is read atomically; the set
 * is consistent only when no thread is using the GIL. */
struct gil_stats {
	uint64_t acquisitions;  /* times a thread took the lock */
	uint64_t contended;     /* of those, how many had to wait */
	uint64_t wait_ns;       /* total nanoseconds spent waiting (CLOCK_MONOTONIC) */
	uint64_t handoffs;      /* releases that passed the lock to a waiter */
	uint64_t waiters;       /* threads queued for the lock right now */
	uint64_t stw_events;    /* stop-the-world events that switched the GIL on */
	uint64_t stw_exclusive; /* gil_stop_world() stops (module collector) */
	uint64_t stw_wait_ns;   /* total nanoseconds requesters waited for the world to stop */
	uint64_t switches_on;   /* transitions from disabled to enabled */
	uint64_t registered;    /* threads registered right now */
	int enabled;            /* the enabled counter (0, n, or INT_MAX) */
	int mode;               /* enum gil_mode */
};

/* Initialise 'g' in 'mode' (GIL_MODE_OFF/ON/AUTO).  GIL_MODE_ON starts
 * permanently enabled.  Returns 0, -EINVAL for an unknown mode, or the
 * negated error of a failed pthread_*_init (nothing left to destroy). */
int gil_init(struct gil *g, int mode);

/* Destroy 'g'.  No thread may be registered any more (checked: aborts). */
void gil_destroy(struct gil *g);

/* Set (or clear, with fn == NULL) the function told when 'g' becomes
 * permanently enabled.  Set it before threads use 'g'. */
void gil_set_switch_hook(struct gil *g, gil_switch_hook fn, void *ctx);

/* Initialise 't' as DETACHED and add it to 'g's threads.  Call once per
 * thread state before its first attach.  Safe at any time, also while a
 * stop-the-world is in progress. */
void gil_thread_register(struct gil *g, struct gil_thread *t);

/* Remove 't' from 'g's threads and destroy it.  't' must be DETACHED
 * (checked: aborts otherwise).  May be called from another thread than the
 * owner, if the owner's last gil_detach happens before the call (a join, a
 * lock) and the owner does not use 't' again. */
void gil_thread_unregister(struct gil *g, struct gil_thread *t);

/* DETACHED -> ATTACHED.  If a stop-the-world is in progress, parks until the
 * world restarts.  If the GIL is enabled, then takes it (blocking, FIFO).
 * Common case (GIL never enabled): one store to 't' and two loads of
 * read-mostly fields of 'g'. */
void gil_attach(struct gil *g, struct gil_thread *t);

/* ATTACHED -> DETACHED.  Releases the GIL if 't' holds it (handing it to the
 * oldest waiter) and, if a stop-the-world is waiting for 't', tells it.
 * Common case: one store to 't' and one load. */
void gil_detach(struct gil *g, struct gil_thread *t);

/* For an ATTACHED thread: if a stop-the-world is requested, park until the
 * world restarts, then take the GIL if it is now enabled.  Otherwise one
 * relaxed load.  Runtime API entry points call it. */
void gil_safepoint(struct gil *g, struct gil_thread *t);

/* Exclusive access for an ATTACHED 'caller' (the module collector reads
 * reference counts that must not move).  If the GIL is enabled the caller
 * holds it, every other attached thread waits for it, and nothing is
 * stopped: returns 0.  Otherwise stops every other ATTACHED thread of 'g'
 * at its next safe point (waiting for them; threads that attach meanwhile
 * park) and returns 1; the caller then restarts the world with
 * gil_start_world().  While stopped the caller must not block on anything
 * a parked thread may hold, nor call gil_attach/detach/safepoint. */
int gil_stop_world(struct gil *g, struct gil_thread *caller);

/* Ends a stop begun by gil_stop_world() that returned 1. */
void gil_start_world(struct gil *g);

/* _PyEval_EnableGILTransient.  'caller' is the calling thread's record (it
 * should be ATTACHED; NULL or DETACHED is allowed for a caller outside any
 * thread state).  Mode OFF/ON: returns 0.  Otherwise: 0 if the GIL is
 * permanent; aborts with "Too many transient requests to enable the GIL"
 * when the counter is INT_MAX-1; if enabled, counts the request and returns
 * 0; if disabled, stops the world, has the caller (if ATTACHED) take the
 * GIL, sets the counter to 1, restarts the world and returns 1.  When it
 * returns, every other attached thread holds the GIL or waits for it. */
int gil_enable_transient(struct gil *g, struct gil_thread *caller);

/* _PyEval_EnableGILPermanent.  Mode OFF/ON: returns 0.  Returns 0 if the GIL
 * is already permanent.  Otherwise makes it permanent (stopping the world
 * first if it was disabled, as gil_enable_transient does), calls the switch
 * hook with 'reason' (may be NULL) and returns 1. */
int gil_enable_permanent(struct gil *g, struct gil_thread *caller,
    const char *reason);

/* _PyEval_DisableGIL: undo one transient request.  Mode OFF/ON or a
 * permanent GIL: returns 0.  Returns -EINVAL if the counter is already 0
 * (unbalanced call).  Otherwise decrements; when the counter reaches 0, the
 * caller releases the GIL if it holds it, every thread queued for it
 * proceeds without it, and the call returns 1; else returns 0. */
int gil_disable_transient(struct gil *g, struct gil_thread *caller);

/* 1 if the GIL is enabled (transiently or permanently), else 0. */
int gil_is_enabled(const struct gil *g);

/* Copy 'g's statistics into 'out'.  Takes no lock. */
void gil_stats(const struct gil *g, struct gil_stats *out);

#endif /* PYMODRT_GIL_H */

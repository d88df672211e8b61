/* pystate.c: interpreters and thread states.
 *
 * Each OS thread's current thread state lives in its rt_thread record
 * (owner thread only).  An interpreter keeps the list of its thread states
 * under threads_lock; the runtime keeps the list of interpreters under
 * rt_runtime.interp_lock.  Lock order: interp_lock before threads_lock.
 *
 * The GIL hooks (attach/detach) come with the GIL subsystem (gil/); until
 * then "attached" only records that the thread state is current. */
#include "internal/pycore.h"

RT_INTERNAL void mod_detach_interp(PyInterpreterState *interp);

struct rt_runtime rt_runtime = {
    .interp_lock = PTHREAD_MUTEX_INITIALIZER,
};


/* ------------------------------------------------------------ interpreters */

RT_INTERNAL PyInterpreterState *interp_new(PyInterpreterState *share_gil_with);
/* Creates an interpreter with its own GIL object, or sharing
 * 'share_gil_with's (the main interpreter's). */
PyInterpreterState *
interp_new(PyInterpreterState *share_gil_with)
{
    PyInterpreterState *interp = mem_calloc(1, sizeof(*interp));

    if (interp == NULL)
        return NULL;
    pthread_mutex_init(&interp->threads_lock, NULL);
    rt_shard_interp_init(interp);
    interp->dlopenflags = RTLD_NOW_VALUE;
    interp->modules = PyDict_New();
    interp->dict = PyDict_New();
    interp->sysdict = PyDict_New();
    interp->modules_by_index = PyList_New(0);
    if (interp->modules == NULL || interp->dict == NULL || interp->sysdict == NULL ||
        interp->modules_by_index == NULL) {
        Py_XDECREF(interp->modules);
        Py_XDECREF(interp->dict);
        Py_XDECREF(interp->sysdict);
        Py_XDECREF(interp->modules_by_index);
        pthread_mutex_destroy(&interp->threads_lock);
        rt_shard_interp_fini(interp);
        mem_free(interp);
        return NULL;
    }
    if (rt_gil_interp_init(interp, share_gil_with, rt_runtime.config.enable_gil) < 0) {
        Py_DECREF(interp->modules);
        Py_DECREF(interp->dict);
        Py_DECREF(interp->sysdict);
        Py_DECREF(interp->modules_by_index);
        pthread_mutex_destroy(&interp->threads_lock);
        rt_shard_interp_fini(interp);
        mem_free(interp);
        return NULL;
    }
    pthread_mutex_lock(&rt_runtime.interp_lock);
    interp->id = rt_runtime.next_interp_id++;
    interp->next = rt_runtime.interpreters;
    rt_runtime.interpreters = interp;
    pthread_mutex_unlock(&rt_runtime.interp_lock);
    return interp;
}

RT_INTERNAL void interp_delete(PyInterpreterState *interp);
void
interp_delete(PyInterpreterState *interp)
{
    PyInterpreterState **pp;

    pthread_mutex_lock(&rt_runtime.interp_lock);
    for (pp = &rt_runtime.interpreters; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == interp) {
            *pp = interp->next;
            break;
        }
    }
    pthread_mutex_unlock(&rt_runtime.interp_lock);
    Py_CLEAR(interp->modules_by_index);
    state_table_free(interp);
    Py_CLEAR(interp->modules);
    Py_CLEAR(interp->sysdict);
    Py_CLEAR(interp->dict);
    mod_detach_interp(interp);
    rt_gil_interp_fini(interp);
    pthread_mutex_destroy(&interp->threads_lock);
    rt_shard_interp_fini(interp);
    mem_free(interp);
}

PyInterpreterState *
PyInterpreterState_Get(void)
{
    PyThreadState *ts = ts_get();

    if (ts == NULL)
        Py_FatalError("the function must be called with an attached thread state");
    return ts->interp;
}

PyInterpreterState *
PyInterpreterState_Main(void)
{
    return rt_runtime.main_interp;
}

int64_t
PyInterpreterState_GetID(PyInterpreterState *interp)
{
    if (interp == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no interpreter provided");
        return -1;
    }
    return interp->id;
}

PyObject *
PyInterpreterState_GetDict(PyInterpreterState *interp)
{
    return interp->dict;
}

/* ----------------------------------------------------------- thread states */

PyThreadState *
PyThreadState_New(PyInterpreterState *interp)
{
    PyThreadState *ts = mem_calloc(1, sizeof(*ts));

    if (ts == NULL)
        return NULL;
    ts->interp = interp;
    ts->shard_chunks = interp->shards.chunks;
    ts->id = atomic_fetch_add_explicit(&rt_runtime.next_thread_id, 1, memory_order_relaxed) + 1;
    if (rt_gil_ts_init(ts) < 0) {
        mem_free(ts);
        return NULL;
    }
    pthread_mutex_lock(&interp->threads_lock);
    ts->next = interp->threads;
    if (interp->threads != NULL)
        interp->threads->prev = ts;
    interp->threads = ts;
    pthread_mutex_unlock(&interp->threads_lock);
    return ts;
}

void
PyThreadState_Clear(PyThreadState *ts)
{
    Py_CLEAR(ts->exc);
    Py_CLEAR(ts->handled);
    Py_CLEAR(ts->dict);
}

static void
ts_unlink(PyThreadState *ts)
{
    PyInterpreterState *interp = ts->interp;

    pthread_mutex_lock(&interp->threads_lock);
    if (ts->prev != NULL)
        ts->prev->next = ts->next;
    else
        interp->threads = ts->next;
    if (ts->next != NULL)
        ts->next->prev = ts->prev;
    pthread_mutex_unlock(&interp->threads_lock);
}

/* Guards the pairing rt_thread.gilstate <-> PyThreadState.gilstate_of:
 * a thread state may be deleted by another thread than the one it is
 * bound to, and that thread may be exiting meanwhile.  Taken once per
 * thread (binding), per deleted bound thread state and per thread exit. */
static pthread_mutex_t gilstate_lock = PTHREAD_MUTEX_INITIALIZER;

static void
gilstate_bind(struct rt_thread *t, PyThreadState *ts)
{
    pthread_mutex_lock(&gilstate_lock);
    if (t->gilstate == NULL && ts->gilstate_of == NULL) {
        ts->gilstate_of = t;
        __atomic_store_n(&t->gilstate, ts, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&gilstate_lock);
}

/* 'ts' is going away: it is no longer its thread's PyGILState thread
 * state.  May run on another thread than the bound one. */
static void
gilstate_unbind(PyThreadState *ts)
{
    pthread_mutex_lock(&gilstate_lock);
    if (ts->gilstate_of != NULL) {
        __atomic_store_n(&ts->gilstate_of->gilstate, NULL, __ATOMIC_RELEASE);
        ts->gilstate_of = NULL;
    }
    pthread_mutex_unlock(&gilstate_lock);
}

/* The OS thread 't' exits (core/mem.c): its record is freed. */
void
rt_gilstate_thread_exit(struct rt_thread *t)
{
    pthread_mutex_lock(&gilstate_lock);
    if (t->gilstate != NULL) {
        t->gilstate->gilstate_of = NULL;
        __atomic_store_n(&t->gilstate, NULL, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&gilstate_lock);
}

void
PyThreadState_Delete(PyThreadState *ts)
{
    struct rt_thread *t = rt_thread_peek();

    if (t != NULL && t->tstate == ts)
        Py_FatalError("PyThreadState_Delete: tstate is still current");
    gilstate_unbind(ts);
    PyThreadState_Clear(ts);
    rt_shard_ts_fini(ts);
    ts_unlink(ts);
    rt_gil_ts_fini(ts);
    mem_free(ts);
}

void
PyThreadState_DeleteCurrent(void)
{
    struct rt_thread *t = rt_thread_peek();
    PyThreadState *ts = t != NULL ? t->tstate : NULL;

    if (ts == NULL)
        Py_FatalError("PyThreadState_DeleteCurrent: no current tstate");
    PyThreadState_Clear(ts);
    rt_shard_thread_switch(t, NULL);
    rt_gil_detach(ts);
    ts->attached = 0;
    t->tstate = NULL;
    gilstate_unbind(ts);
    rt_shard_ts_fini(ts);
    ts_unlink(ts);
    rt_gil_ts_fini(ts);
    mem_free(ts);
}

PyThreadState *
PyThreadState_GetUnchecked(void)
{
    return ts_get();
}

PyThreadState *
PyThreadState_Get(void)
{
    PyThreadState *ts = ts_get();

    if (ts == NULL)
        Py_FatalError("the function must be called with an attached thread state");
    return ts;
}

PyThreadState *
PyThreadState_Swap(PyThreadState *ts)
{
    struct rt_thread *t = rt_thread_get();
    PyThreadState *old = t->tstate;

    if (old == ts)
        return old;
    if (old != NULL && old->attached) {
        cs_suspend_all(old);
        rt_shard_thread_switch(t, NULL);
        old->attached = 0;
        rt_gil_detach(old);
    }
    t->tstate = ts;
    if (ts != NULL) {
        ts->rt = t;
        /* The thread's first main-interpreter thread state is the one
         * PyGILState_Ensure re-attaches (CPython binds it likewise). */
        if (ts->interp == rt_runtime.main_interp &&
            __atomic_load_n(&t->gilstate, __ATOMIC_ACQUIRE) == NULL)
            gilstate_bind(t, ts);
        rt_gil_attach(ts);
        ts->attached = 1;
        rt_shard_thread_switch(t, ts);
        cs_resume_top(ts);
    }
    return old;
}

PyInterpreterState *
PyThreadState_GetInterpreter(PyThreadState *ts)
{
    return ts->interp;
}

uint64_t
PyThreadState_GetID(PyThreadState *ts)
{
    return ts->id;
}

PyObject *
PyThreadState_GetDict(void)
{
    PyThreadState *ts = ts_get();

    if (ts == NULL)
        return NULL;
    if (ts->dict == NULL)
        ts->dict = PyDict_New();   /* owner thread only */
    if (ts->dict == NULL)
        PyErr_Clear();
    return ts->dict;
}

/* ------------------------------------------------------------ GIL state API */

PyGILState_STATE
PyGILState_Ensure(void)
{
    struct rt_thread *t = rt_thread_get();
    PyThreadState *ts = t->tstate;

    if (ts != NULL) {           /* a thread state is attached: use it */
        ts->gilstate_counter++;
        return PyGILState_LOCKED;
    }
    ts = __atomic_load_n(&t->gilstate, __ATOMIC_ACQUIRE);
    if (ts == NULL) {
        if (rt_runtime.main_interp == NULL)
            Py_FatalError("PyGILState_Ensure: the runtime is not initialized");
        ts = PyThreadState_New(rt_runtime.main_interp);
        if (ts == NULL)
            Py_FatalError("PyGILState_Ensure: cannot allocate a thread state");
        ts->gilstate_created = 1;
    }
    /* Re-attaches the thread's own detached thread state (after
     * Py_BEGIN_ALLOW_THREADS, say) rather than making a second one: its
     * module locks, exception and recursion state stay the thread's. */
    PyThreadState_Swap(ts);
    ts->gilstate_counter++;
    return PyGILState_UNLOCKED;
}

void
PyGILState_Release(PyGILState_STATE state)
{
    struct rt_thread *t = rt_thread_peek();
    PyThreadState *ts = t != NULL ? t->tstate : NULL;

    if (ts == NULL)
        Py_FatalError("PyGILState_Release: thread state must be current when releasing");
    if (--ts->gilstate_counter < 0)
        Py_FatalError("PyGILState_Release: unbalanced Ensure/Release");
    if (state == PyGILState_UNLOCKED) {
        if (ts->gilstate_counter == 0 && ts->gilstate_created) {
            PyThreadState_DeleteCurrent();
            /* Run this thread's deferred frees before it may exit. */
            rt_epoch_barrier();
        } else {
            PyEval_SaveThread();   /* back to detached, as Ensure found it */
        }
    }
}

PyThreadState *
PyGILState_GetThisThreadState(void)
{
    struct rt_thread *t = rt_thread_peek();

    return t != NULL ? __atomic_load_n(&t->gilstate, __ATOMIC_ACQUIRE) : NULL;
}

int
PyGILState_Check(void)
{
    return ts_get() != NULL;
}

PyThreadState *
PyEval_SaveThread(void)
{
    PyThreadState *ts = PyThreadState_Swap(NULL);

    if (ts == NULL)
        Py_FatalError("PyEval_SaveThread: no current thread state");
    return ts;
}

void
PyEval_RestoreThread(PyThreadState *ts)
{
    if (ts == NULL)
        Py_FatalError("PyEval_RestoreThread: NULL thread state");
    PyThreadState_Swap(ts);
}

void
PyEval_AcquireThread(PyThreadState *ts)
{
    PyEval_RestoreThread(ts);
}

void
PyEval_ReleaseThread(PyThreadState *ts)
{
    if (PyThreadState_Swap(NULL) != ts)
        Py_FatalError("PyEval_ReleaseThread: wrong thread state");
}

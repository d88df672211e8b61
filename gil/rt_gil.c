/* rt_gil.c: the GIL layer bound to interpreters and thread states.
 *
 * Each interpreter points at a struct gil: its own (the main interpreter,
 * and interpreters created with PyInterpreterConfig_OWN_GIL) or the main
 * interpreter's (shared).  Each thread state owns a struct gil_thread
 * registered on its interpreter's GIL for its whole life; making a thread
 * state current attaches it, swapping it out detaches it.
 *
 * Switching on (SEMANTICS 7.3, 7.4): the loader calls rt_gil_require for a
 * module that needs the GIL, before any of that module's code can run in
 * another thread (loader/import.c says why no transient switch-on around
 * PyInit is needed).  The first permanent switch of a GIL records which
 * module caused it (pymodrt_gil_switches()) and issues CPython's
 * RuntimeWarning.  Modules that declare Py_MOD_GIL_NOT_USED never reach
 * here, so they never stop the world.
 *
 * The switch log is process-wide, guarded by switch_lock; readers copy it. */
#include "internal/pycore.h"
#include "gil.h"

#define SWITCH_LOG_MAX 64

struct switch_record {
    int64_t interp_id;
    char module[128];
    struct timespec when;
};

static pthread_mutex_t switch_lock = PTHREAD_MUTEX_INITIALIZER;   /* guards the log */
static struct switch_record switch_log[SWITCH_LOG_MAX];          /* guarded by switch_lock */
static int switch_count;                                          /* guarded by switch_lock */

static void
record_switch(void *ctx, const char *reason)
{
    PyInterpreterState *interp = ctx;

    pthread_mutex_lock(&switch_lock);
    if (switch_count < SWITCH_LOG_MAX) {
        struct switch_record *r = &switch_log[switch_count++];
        r->interp_id = interp->id;
        snprintf(r->module, sizeof r->module, "%s", reason ? reason : "?");
        clock_gettime(CLOCK_REALTIME, &r->when);
    }
    pthread_mutex_unlock(&switch_lock);
}

int
rt_gil_interp_init(PyInterpreterState *interp, PyInterpreterState *share, int mode)
{
    struct gil *g;

    if (share != NULL) {
        interp->gil = share->gil;
        interp->gil_owned = 0;
        return 0;
    }
    g = mem_calloc(1, sizeof(*g));
    if (g == NULL)
        return -1;
    if (gil_init(g, mode) != 0) {
        mem_free(g);
        return -1;
    }
    gil_set_switch_hook(g, record_switch, interp);
    interp->gil = g;
    interp->gil_owned = 1;
    return 0;
}

void
rt_gil_interp_fini(PyInterpreterState *interp)
{
    if (interp->gil != NULL && interp->gil_owned) {
        gil_destroy(interp->gil);
        mem_free(interp->gil);
    }
    interp->gil = NULL;
}

int
rt_gil_ts_init(PyThreadState *ts)
{
    struct gil_thread *t = mem_calloc(1, sizeof(*t));

    if (t == NULL)
        return -1;
    gil_thread_register(ts->interp->gil, t);
    ts->gilt = t;
    ts->stw_flag = &((struct gil *)ts->interp->gil)->hot.stw_requested;
    return 0;
}

void
rt_gil_ts_fini(PyThreadState *ts)
{
    if (ts->gilt == NULL)
        return;
    gil_thread_unregister(ts->interp->gil, ts->gilt);
    mem_free(ts->gilt);
    ts->gilt = NULL;
}

void
rt_gil_attach(PyThreadState *ts)
{
    gil_attach(ts->interp->gil, ts->gilt);
}

void
rt_gil_detach(PyThreadState *ts)
{
    gil_detach(ts->interp->gil, ts->gilt);
}

void
rt_gil_safepoint(PyThreadState *ts)
{
    gil_safepoint(ts->interp->gil, ts->gilt);
}

int
rt_gil_stop_world(PyThreadState *ts)
{
    return gil_stop_world(ts->interp->gil, ts->gilt);
}

void
rt_gil_start_world(PyThreadState *ts)
{
    gil_start_world(ts->interp->gil);
}

int
rt_gil_is_enabled(PyInterpreterState *interp)
{
    return interp->gil != NULL && gil_is_enabled(interp->gil);
}

int
rt_gil_enable_permanent(const char *module_name)
{
    PyThreadState *ts = PyThreadState_Get();

    return gil_enable_permanent(ts->interp->gil, ts->gilt, module_name);
}

int
rt_gil_require(const char *module_name)
{
    if (rt_gil_enable_permanent(module_name) != 1)
        return 0;
    return PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
        "The global interpreter lock (GIL) has been enabled to load module '%s', which has "
        "not declared that it can run safely without the GIL. To override this behavior and "
        "keep the GIL disabled (at your own risk), run with PYTHON_GIL=0 or -Xgil=0.",
        module_name);
}

/* ------------------------------------------------------------ pymodrt API */

int
pymodrt_gil_enabled(void)
{
    return rt_gil_is_enabled(PyInterpreterState_Get());
}

int
pymodrt_gil_mode(void)
{
    struct gil_stats st;

    gil_stats(PyInterpreterState_Get()->gil, &st);
    return st.mode;
}

void
pymodrt_gil_get_stats(pymodrt_gil_stats *out)
{
    struct gil_stats st;

    gil_stats(PyInterpreterState_Get()->gil, &st);
    out->acquisitions = st.acquisitions;
    out->contended = st.contended;
    out->wait_ns = st.wait_ns;
    out->handoffs = st.handoffs;
    out->stop_the_world = st.stw_events;
    out->stop_the_world_ns = st.stw_wait_ns;
    out->collector_stops = st.stw_exclusive;
    out->switches_on = st.switches_on;
    out->threads = st.registered;
    out->enabled = st.enabled != 0;
}

int
pymodrt_gil_switches(pymodrt_gil_switch *out, int max)
{
    int n;

    pthread_mutex_lock(&switch_lock);
    n = switch_count;
    for (int i = 0; i < n && i < max; i++) {
        out[i].interpreter_id = switch_log[i].interp_id;
        snprintf(out[i].module, sizeof out[i].module, "%s", switch_log[i].module);
        out[i].when_sec = (int64_t)switch_log[i].when.tv_sec;
        out[i].when_nsec = (int64_t)switch_log[i].when.tv_nsec;
    }
    pthread_mutex_unlock(&switch_lock);
    return n;
}

void
rt_gil_switch_log_reset(void)
{
    pthread_mutex_lock(&switch_lock);
    switch_count = 0;
    pthread_mutex_unlock(&switch_lock);
}

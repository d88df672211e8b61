/* parallel: modules for the concurrent-import tests, all in one library
 * (imported by name with pymodrt_import_file) so they can share C state.
 *
 *   slow       exec sleeps 30 ms and counts its runs (process-wide)
 *   meet_a/b   exec waits until the other's exec has started: if imports
 *              of different modules were serialized, neither would finish
 *              (bounded: gives up after 10 s and raises)
 *   cyc_a/b    Py_mod_create imports the other after both creates started:
 *              a cross-thread cycle of module locks (SEMANTICS 8.3)
 *   fails      exec sleeps 20 ms, then fails: waiters must see failures,
 *              not hang */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pymodrt.h>

#include <pthread.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int slow_runs, fail_runs, meet_started, cyc_started, cyc_entries;

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    Py_BEGIN_ALLOW_THREADS
    nanosleep(&ts, NULL);
    Py_END_ALLOW_THREADS
}

/* Waits (detached) until *counter reaches want; -1 after 10 s. */
static int
rendezvous(int *counter, int want)
{
    struct timespec deadline;
    int ok = 1;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&mu);
    (*counter)++;
    pthread_cond_broadcast(&cv);
    while (*counter < want && ok)
        ok = pthread_cond_timedwait(&cv, &mu, &deadline) == 0;
    pthread_mutex_unlock(&mu);
    Py_END_ALLOW_THREADS
    if (*counter < want) {
        PyErr_SetString(PyExc_TimeoutError, "rendezvous timed out: imports were serialized");
        return -1;
    }
    return 0;
}

static PyObject *
counters(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    pthread_mutex_lock(&mu);
    PyObject *r = Py_BuildValue("(ii)", slow_runs, fail_runs);
    pthread_mutex_unlock(&mu);
    return r;
}

static PyObject *
reset(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    pthread_mutex_lock(&mu);
    slow_runs = fail_runs = meet_started = cyc_started = cyc_entries = 0;
    pthread_mutex_unlock(&mu);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"counters", counters, METH_NOARGS, NULL},
    {"reset", reset, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static int
slow_exec(PyObject *m)
{
    sleep_ms(30);
    pthread_mutex_lock(&mu);
    slow_runs++;
    pthread_mutex_unlock(&mu);
    return PyModule_AddIntConstant(m, "ready", 1);
}

static int
meet_exec(PyObject *m)
{
    (void)m;
    return rendezvous(&meet_started, 2);
}

static int
fails_exec(PyObject *m)
{
    (void)m;
    sleep_ms(20);
    pthread_mutex_lock(&mu);
    fail_runs++;
    pthread_mutex_unlock(&mu);
    PyErr_SetString(PyExc_RuntimeError, "fails: exec failed on purpose");
    return -1;
}

/* The first two creates (one per thread) meet, then each imports the
 * other module; a later, re-entrant create (the surviving thread loading
 * the partner itself) must not import again: as CPython's docs warn, a
 * recursive import from inside an initializer is the module's to guard. */
static PyObject *
cyc_create(PyObject *spec, const char *other)
{
    PyObject *name, *m, *o, *origin;
    int entry;

    pthread_mutex_lock(&mu);
    entry = ++cyc_entries;
    pthread_mutex_unlock(&mu);
    if (entry <= 2) {
        if (rendezvous(&cyc_started, 2) < 0)
            return NULL;
        origin = PyObject_GetAttrString(spec, "origin");
        if (origin == NULL)
            return NULL;
        o = pymodrt_import_file(other, PyUnicode_AsUTF8(origin));
        Py_DECREF(origin);
        if (o == NULL)
            return NULL;   /* the deadlock error surfaces here in one thread */
        Py_DECREF(o);
    }
    name = PyObject_GetAttrString(spec, "name");
    if (name == NULL)
        return NULL;
    m = PyModule_NewObject(name);
    Py_DECREF(name);
    return m;
}

static PyObject *cyc_a_create(PyObject *spec, PyModuleDef *d) { (void)d; return cyc_create(spec, "cyc_b"); }
static PyObject *cyc_b_create(PyObject *spec, PyModuleDef *d) { (void)d; return cyc_create(spec, "cyc_a"); }

#define DEF(NAME, ...) \
    static PyModuleDef_Slot NAME##_slots[] = { \
        __VA_ARGS__, \
        {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED}, \
        {Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}}; \
    static PyModuleDef NAME##_def = {PyModuleDef_HEAD_INIT, #NAME, NULL, 0, methods, \
                                     NAME##_slots, NULL, NULL, NULL}; \
    PyMODINIT_FUNC PyInit_##NAME(void) { return PyModuleDef_Init(&NAME##_def); }

DEF(slow, {Py_mod_exec, slow_exec})
DEF(meet_a, {Py_mod_exec, meet_exec})
DEF(meet_b, {Py_mod_exec, meet_exec})
DEF(fails, {Py_mod_exec, fails_exec})
DEF(cyc_a, {Py_mod_create, cyc_a_create})
DEF(cyc_b, {Py_mod_create, cyc_b_create})

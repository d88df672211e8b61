/* multi: a multi-phase module with state and hooks that record when they
 * run (SEMANTICS 4.4, 4.5, 9.4).  exec_calls counts across the process;
 * the hook log is a C array readable from tests through hook_log(). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>

typedef struct {
    long token;                 /* set by exec; read back by state_token() */
} multi_state;

/* Process-wide, shared by every instance in every interpreter: the module
 * declares Py_MOD_GIL_NOT_USED and per-interpreter GIL support, so these
 * must be thread-safe (an atomic counter; a mutex for the log). */
static int exec_calls;                                    /* atomic */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char hook_log_buf[256];                            /* guarded by log_mu */

static void
log_hook(const char *what)
{
    pthread_mutex_lock(&log_mu);
    size_t n = strlen(hook_log_buf);
    snprintf(hook_log_buf + n, sizeof(hook_log_buf) - n, "%s%s", n ? "," : "", what);
    pthread_mutex_unlock(&log_mu);
}

static PyObject *
multi_exec_calls(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    return PyLong_FromLong(__atomic_load_n(&exec_calls, __ATOMIC_RELAXED));
}

static PyObject *
multi_hook_log(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    pthread_mutex_lock(&log_mu);
    PyObject *r = PyUnicode_FromString(hook_log_buf);
    pthread_mutex_unlock(&log_mu);
    return r;
}

static PyObject *
multi_state_token(PyObject *self, PyObject *unused)
{
    multi_state *st = PyModule_GetState(self);
    (void)unused;
    return PyLong_FromLong(st->token);
}

static int
multi_exec(PyObject *m)
{
    multi_state *st = PyModule_GetState(m);

    if (st == NULL || st->token != 0) {
        PyErr_SetString(PyExc_AssertionError, "state must exist and be zeroed at exec");
        return -1;
    }
    st->token = __atomic_add_fetch(&exec_calls, 1, __ATOMIC_RELAXED);
    return 0;
}

static int
multi_traverse(PyObject *m, visitproc visit, void *arg)
{
    (void)m; (void)visit; (void)arg;
    return 0;
}

static int
multi_clear(PyObject *m)
{
    (void)m;
    log_hook("clear");
    return 0;
}

static void
multi_free(void *m)
{
    multi_state *st = PyModule_GetState((PyObject *)m);
    char buf[32];

    /* The state must still be readable inside m_free (item 114). */
    snprintf(buf, sizeof buf, "free:%ld", st ? st->token : -1L);
    log_hook(buf);
}

static PyMethodDef multi_methods[] = {
    {"exec_calls", multi_exec_calls, METH_NOARGS, NULL},
    {"hook_log", multi_hook_log, METH_NOARGS, NULL},
    {"state_token", multi_state_token, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot multi_slots[] = {
    {Py_mod_exec, multi_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

static PyModuleDef multi_def = {
    .m_base = PyModuleDef_HEAD_INIT, .m_name = "multi", .m_doc = "multi-phase with state",
    .m_size = sizeof(multi_state), .m_methods = multi_methods, .m_slots = multi_slots,
    .m_traverse = multi_traverse, .m_clear = multi_clear, .m_free = multi_free};

PyMODINIT_FUNC
PyInit_multi(void)
{
    return PyModuleDef_Init(&multi_def);
}

/* planted_shared: PLANTED BUG (isolation).  It declares per-interpreter GIL
 * support and module state, but keeps what should be per-instance in static
 * globals: the exception type is created by the first exec only and handed
 * to every later instance, in every interpreter, and the "state" its
 * functions use is one static struct.  pymodrt-stress must report it
 * (invariant "isolation") and exit 1. */
#include "stress_mod.h"
#include <pthread.h>

static PyObject *shared_error;        /* the bug: one object for all instances */
static stress_state shared_state;     /* the bug: one state for all instances */
static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;  /* guards both */

static PyObject *
planted_shared_stress_state(PyObject *self, PyObject *unused)
{
    PyObject *r;

    (void)self; (void)unused;
    pthread_mutex_lock(&shared_mu);
    r = stress_state_tuple(&shared_state);
    pthread_mutex_unlock(&shared_mu);
    return r;
}

static PyObject *
planted_shared_ping(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    atomic_fetch_add(&shared_state.pings, 1);
    Py_RETURN_NONE;
}

static int
planted_shared_exec(PyObject *m)
{
    pthread_mutex_lock(&shared_mu);
    if (shared_error == NULL)
        shared_error = PyErr_NewException("planted_shared.error", NULL, NULL);
    atomic_store(&shared_state.execs, 1);
    shared_state.owner = PyInterpreterState_GetID(PyInterpreterState_Get());
    shared_state.nonce = stress_new_nonce(&shared_state);
    pthread_mutex_unlock(&shared_mu);
    if (shared_error == NULL)
        return -1;
    if (PyModule_AddIntConstant(m, "VALUE", 42) < 0 ||
        PyModule_AddStringConstant(m, "NAME", "planted_shared") < 0)
        return -1;
    return PyModule_AddObjectRef(m, "error", shared_error);
}

static PyMethodDef planted_shared_methods[] = {
    {"_stress_state", planted_shared_stress_state, METH_NOARGS, NULL},
    {"ping", planted_shared_ping, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot planted_shared_slots[] = {
    {Py_mod_exec, planted_shared_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

static PyModuleDef planted_shared_def = {
    PyModuleDef_HEAD_INIT, "planted_shared", "planted isolation bug", sizeof(stress_state),
    planted_shared_methods, planted_shared_slots, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_planted_shared(void)
{
    return PyModuleDef_Init(&planted_shared_def);
}

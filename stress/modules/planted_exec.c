/* planted_exec: PLANTED BUG (exec not idempotent).  Its exec registers the
 * instance in a process-wide table and publishes the registration number,
 * so a second instance (a re-import, or another interpreter) comes out
 * different from the first.  pymodrt-stress must report it (invariant
 * "exec-idempotent") and exit 1. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>

static _Atomic long registrations;    /* the bug: exec depends on history */

static int
planted_exec_exec(PyObject *m)
{
    long n = atomic_fetch_add(&registrations, 1) + 1;

    if (PyModule_AddIntConstant(m, "VALUE", 42) < 0)
        return -1;
    return PyModule_AddIntConstant(m, "registration", n);
}

static PyObject *
planted_exec_ping(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    Py_RETURN_NONE;
}

static PyMethodDef planted_exec_methods[] = {
    {"ping", planted_exec_ping, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot planted_exec_slots[] = {
    {Py_mod_exec, planted_exec_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

static PyModuleDef planted_exec_def = {
    PyModuleDef_HEAD_INIT, "planted_exec", "planted non-idempotent exec", 0,
    planted_exec_methods, planted_exec_slots, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_planted_exec(void)
{
    return PyModuleDef_Init(&planted_exec_def);
}

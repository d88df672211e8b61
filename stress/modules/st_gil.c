/* st_gil: multi-phase with state that does not declare Py_mod_gil, so it
 * needs the GIL: importing it in mode auto switches the GIL on (with
 * CPython's RuntimeWarning).  Supports sub-interpreters that share the main
 * GIL, not per-interpreter GILs. */
#include "stress_mod.h"

STRESS_MODULE_FUNCTIONS(st_gil)

static int
st_gil_exec(PyObject *m)
{
    stress_state *st = PyModule_GetState(m);

    if (stress_state_init(st, "st_gil") < 0)
        return -1;
    return stress_add_attrs(m, st, "st_gil");
}

static void
st_gil_free(void *m)
{
    stress_state_free(PyModule_GetState((PyObject *)m));
}

static PyMethodDef st_gil_methods[] = {STRESS_METHODS(st_gil), {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot st_gil_slots[] = {
    {Py_mod_exec, st_gil_exec},
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED},
    {0, NULL}};

static PyModuleDef st_gil_def = {
    PyModuleDef_HEAD_INIT, "st_gil", "multi-phase, state, needs the GIL, shared-GIL interpreters",
    sizeof(stress_state), st_gil_methods, st_gil_slots, NULL, NULL, st_gil_free};

PyMODINIT_FUNC
PyInit_st_gil(void)
{
    return PyModuleDef_Init(&st_gil_def);
}

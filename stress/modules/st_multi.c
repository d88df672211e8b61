/* st_multi: multi-phase initialization (PyInit returns a PyModuleDef), module
 * state, GIL-free, supports per-interpreter GILs.  The well-behaved module. */
#include "stress_mod.h"

STRESS_MODULE_FUNCTIONS(st_multi)

static int
st_multi_exec(PyObject *m)
{
    stress_state *st = PyModule_GetState(m);

    if (stress_state_init(st, "st_multi") < 0)
        return -1;
    return stress_add_attrs(m, st, "st_multi");
}

static void
st_multi_free(void *m)
{
    stress_state_free(PyModule_GetState((PyObject *)m));
}

static PyMethodDef st_multi_methods[] = {STRESS_METHODS(st_multi), {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot st_multi_slots[] = {
    {Py_mod_exec, st_multi_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

static PyModuleDef st_multi_def = {
    PyModuleDef_HEAD_INIT, "st_multi", "multi-phase, state, GIL-free, per-interpreter GIL",
    sizeof(stress_state), st_multi_methods, st_multi_slots, NULL, NULL, st_multi_free};

PyMODINIT_FUNC
PyInit_st_multi(void)
{
    return PyModuleDef_Init(&st_multi_def);
}

/* st_nosub: multi-phase, GIL-free, declares that it cannot be loaded in
 * sub-interpreters (Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED). */
#include "stress_mod.h"

STRESS_MODULE_FUNCTIONS(st_nosub)

static int
st_nosub_exec(PyObject *m)
{
    stress_state *st = PyModule_GetState(m);

    if (stress_state_init(st, "st_nosub") < 0)
        return -1;
    return stress_add_attrs(m, st, "st_nosub");
}

static void
st_nosub_free(void *m)
{
    stress_state_free(PyModule_GetState((PyObject *)m));
}

static PyMethodDef st_nosub_methods[] = {STRESS_METHODS(st_nosub), {NULL, NULL, 0, NULL}};

static PyModuleDef_Slot st_nosub_slots[] = {
    {Py_mod_exec, st_nosub_exec},
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};

static PyModuleDef st_nosub_def = {
    PyModuleDef_HEAD_INIT, "st_nosub", "multi-phase, GIL-free, main interpreter only",
    sizeof(stress_state), st_nosub_methods, st_nosub_slots, NULL, NULL, st_nosub_free};

PyMODINIT_FUNC
PyInit_st_nosub(void)
{
    return PyModuleDef_Init(&st_nosub_def);
}

/* st_export: the 3.15 export hook (PyModExport_st_export returning PySlot
 * entries), module state, GIL-free, supports per-interpreter GILs. */
#include "stress_mod.h"

STRESS_MODULE_FUNCTIONS(st_export)

static int
st_export_exec(PyObject *m)
{
    stress_state *st = PyModule_GetState(m);

    if (stress_state_init(st, "st_export") < 0)
        return -1;
    return stress_add_attrs(m, st, "st_export");
}

static void
st_export_free(void *m)
{
    stress_state_free(PyModule_GetState((PyObject *)m));
}

static PyMethodDef st_export_methods[] = {STRESS_METHODS(st_export), {NULL, NULL, 0, NULL}};

PyABIInfo_VAR(st_export_abi)

static PySlot st_export_slots[] = {
    PySlot_STATIC_DATA(Py_mod_abi, &st_export_abi),
    PySlot_DATA(Py_mod_name, "st_export"),
    PySlot_DATA(Py_mod_doc, "export hook, state, GIL-free, per-interpreter GIL"),
    PySlot_SIZE(Py_mod_state_size, sizeof(stress_state)),
    PySlot_STATIC_DATA(Py_mod_methods, st_export_methods),
    PySlot_FUNC(Py_mod_exec, st_export_exec),
    PySlot_FUNC(Py_mod_state_free, st_export_free),
    PySlot_DATA(Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED),
    PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED),
    PySlot_END};

PyMODEXPORT_FUNC
PyModExport_st_export(void)
{
    return st_export_slots;
}

/* pkg: an extension package (pkg/__init__<suffix>, SEMANTICS 2.1, item 10).
 * Its hook is named after the package, not after __init__. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyModuleDef_Slot pkg_slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}};
static PyModuleDef pkg_def = {PyModuleDef_HEAD_INIT, "pkg", "an extension package", 0, NULL,
                              pkg_slots, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_pkg(void)
{
    return PyModuleDef_Init(&pkg_def);
}

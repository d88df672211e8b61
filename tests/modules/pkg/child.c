/* pkg.child: single-phase with m_name "child"; imported as pkg.child the
 * package context renames it (items 1, 19). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyModuleDef child_def = {PyModuleDef_HEAD_INIT, "child", NULL, -1, NULL, NULL, NULL,
                                NULL, NULL};

PyMODINIT_FUNC
PyInit_child(void)
{
    PyObject *m = PyModule_Create(&child_def);

    if (m != NULL)
        PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
    return m;
}

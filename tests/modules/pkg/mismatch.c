/* pkg.mismatch: single-phase whose m_name ("other") does not match the
 * imported name: stored under the requested name while __name__ stays
 * "other" (item 20). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyModuleDef other_def = {PyModuleDef_HEAD_INIT, "other", NULL, -1, NULL, NULL, NULL,
                                NULL, NULL};

PyMODINIT_FUNC
PyInit_mismatch(void)
{
    PyObject *m = PyModule_Create(&other_def);

    if (m != NULL)
        PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
    return m;
}

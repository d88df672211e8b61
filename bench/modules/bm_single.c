/* bm_single: a legacy single-phase module (m_size == -1), so that a
 * re-import after removal from sys.modules goes through the extension
 * cache's m_copy snapshot, and PyState_FindModule finds it by definition.
 *
 * Compiles unmodified against pymodrt's headers and CPython's. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "bm_compat.h"

static PyObject *
single_noargs(PyObject *module, PyObject *unused)
{
    (void)module; (void)unused;
    Py_RETURN_NONE;
}

static PyMethodDef single_methods[] = {
    {"noargs", single_noargs, METH_NOARGS, "Returns None."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef single_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "bm_single",
    .m_doc = "pymodrt-bench: single-phase module (m_copy path).",
    .m_size = -1,
    .m_methods = single_methods,
};

PyMODINIT_FUNC
PyInit_bm_single(void)
{
    PyObject *m = PyModule_Create(&single_def);

    if (m == NULL)
        return NULL;
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    if (PyModule_AddIntConstant(m, "ANSWER", 42) < 0 ||
        PyModule_AddStringConstant(m, "NAME", "bm_single") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

/* st_single: legacy single-phase initialization with m_size == -1: no
 * state; re-imports are restored from the m_copy snapshot.  Declares itself
 * GIL-free with PyUnstable_Module_SetGIL.  Not loadable in sub-interpreters
 * that check extensions (every sub-interpreter of a free-threaded build). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
st_single_stress_state(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    Py_RETURN_NONE;
}

static PyObject *
st_single_ping(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    Py_RETURN_NONE;
}

static PyMethodDef st_single_methods[] = {
    {"_stress_state", st_single_stress_state, METH_NOARGS, "None: no state"},
    {"ping", st_single_ping, METH_NOARGS, "do nothing"},
    {NULL, NULL, 0, NULL}};

static PyModuleDef st_single_def = {PyModuleDef_HEAD_INIT, "st_single",
                                    "single-phase, m_size -1, GIL-free", -1, st_single_methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_st_single(void)
{
    PyObject *m = PyModule_Create(&st_single_def);

    if (m == NULL)
        return NULL;
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    if (PyModule_AddIntConstant(m, "VALUE", 42) < 0 ||
        PyModule_AddStringConstant(m, "NAME", "st_single") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

/* single: a single-phase module with m_size == -1 ("basic").  It counts
 * how often PyInit ran, process-wide, so tests can check that re-imports
 * come from the m_copy snapshot (SEMANTICS 3.3). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int init_calls;

static PyObject *
single_init_calls(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    return PyLong_FromLong(init_calls);
}

static PyMethodDef single_methods[] = {
    {"init_calls", single_init_calls, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef single_def = {PyModuleDef_HEAD_INIT, "single", "single-phase, m_size -1",
                                 -1, single_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_single(void)
{
    PyObject *m = PyModule_Create(&single_def);

    if (m == NULL)
        return NULL;
    init_calls++;
    if (PyModule_AddIntConstant(m, "value", 10) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

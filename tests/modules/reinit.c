/* reinit: a single-phase module with m_size > 0: every import calls
 * PyInit again and gets fresh, zeroed state (SEMANTICS 3.4). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int init_calls;

static PyObject *
reinit_bump(PyObject *self, PyObject *unused)
{
    long *counter = PyModule_GetState(self);

    (void)unused;
    return PyLong_FromLong(++*counter);
}

static PyObject *
reinit_init_calls(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    return PyLong_FromLong(init_calls);
}

static PyMethodDef reinit_methods[] = {
    {"bump", reinit_bump, METH_NOARGS, NULL},
    {"init_calls", reinit_init_calls, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyModuleDef reinit_def = {PyModuleDef_HEAD_INIT, "reinit", NULL, sizeof(long),
                                 reinit_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit_reinit(void)
{
    PyObject *m = PyModule_Create(&reinit_def);

    if (m != NULL) {
        init_calls++;
        PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
    }
    return m;
}

/* spam, multi-phase form: the same module as examples/spam, rewritten the
 * way the C API documentation recommends today.  The exception lives in
 * per-module state, so each interpreter gets its own; the module declares
 * that it supports per-interpreter GILs and runs without the GIL. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject *error;    /* spam.error of this module instance */
} spam_state;

static PyObject *
spam_system(PyObject *module, PyObject *args)
{
    spam_state *st = PyModule_GetState(module);
    const char *command;
    int sts;

    if (!PyArg_ParseTuple(args, "s", &command))
        return NULL;
    sts = system(command);
    if (sts < 0) {
        PyErr_SetString(st->error, "System command failed");
        return NULL;
    }
    return PyLong_FromLong(sts);
}

static int
spam_exec(PyObject *module)
{
    spam_state *st = PyModule_GetState(module);

    st->error = PyErr_NewException("spam.error", NULL, NULL);
    if (st->error == NULL)
        return -1;
    return PyModule_AddObjectRef(module, "error", st->error);
}

static int
spam_traverse(PyObject *module, visitproc visit, void *arg)
{
    spam_state *st = PyModule_GetState(module);

    Py_VISIT(st->error);
    return 0;
}

static int
spam_clear(PyObject *module)
{
    spam_state *st = PyModule_GetState(module);

    Py_CLEAR(st->error);
    return 0;
}

static void
spam_free(void *module)
{
    spam_clear((PyObject *)module);
}

static PyMethodDef spam_methods[] = {
    {"system", spam_system, METH_VARARGS, "Execute a shell command."},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot spam_slots[] = {
    {Py_mod_exec, spam_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}
};

static struct PyModuleDef spam_module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "spam",
    .m_doc = "The spam module, multi-phase form.",
    .m_size = sizeof(spam_state),
    .m_methods = spam_methods,
    .m_slots = spam_slots,
    .m_traverse = spam_traverse,
    .m_clear = spam_clear,
    .m_free = spam_free,
};

PyMODINIT_FUNC
PyInit_spam(void)
{
    return PyModuleDef_Init(&spam_module);
}

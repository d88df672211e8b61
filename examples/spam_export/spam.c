/* spam, 3.15 export-hook form (PEP 793/820): the module is described by a
 * PySlot array returned from PyModExport_spam; there is no PyModuleDef. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject *error;
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

static void
spam_free(void *module)
{
    spam_state *st = PyModule_GetState((PyObject *)module);

    if (st != NULL)
        Py_CLEAR(st->error);
}

static PyMethodDef spam_methods[] = {
    {"system", spam_system, METH_VARARGS, "Execute a shell command."},
    {NULL, NULL, 0, NULL}
};

PyABIInfo_VAR(spam_abi)

static PySlot spam_slots[] = {
    PySlot_STATIC_DATA(Py_mod_abi, &spam_abi),
    PySlot_DATA(Py_mod_name, "spam"),
    PySlot_DATA(Py_mod_doc, "The spam module, export-hook form."),
    PySlot_SIZE(Py_mod_state_size, sizeof(spam_state)),
    PySlot_STATIC_DATA(Py_mod_methods, spam_methods),
    PySlot_FUNC(Py_mod_exec, spam_exec),
    PySlot_FUNC(Py_mod_state_free, spam_free),
    PySlot_DATA(Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED),
    PySlot_DATA(Py_mod_gil, Py_MOD_GIL_NOT_USED),
    PySlot_END
};

PyMODEXPORT_FUNC
PyModExport_spam(void)
{
    return spam_slots;
}

/* demo: a small module in the style of the "Defining extension modules"
 * page: hello(), add(a, b) parsed with "ii", a demo.Error exception and an
 * ANSWER constant, multi-phase, GIL-free, sub-interpreter safe. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject *error;
} demo_state;

static PyObject *
demo_hello(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyUnicode_FromString("Hello, World!");
}

static PyObject *
demo_add(PyObject *module, PyObject *args)
{
    int a, b;

    (void)module;
    if (!PyArg_ParseTuple(args, "ii:add", &a, &b))
        return NULL;
    return PyLong_FromLong((long)a + b);
}

static PyObject *
demo_fail(PyObject *module, PyObject *arg)
{
    demo_state *st = PyModule_GetState(module);

    PyErr_Format(st->error, "demo failure: %S", arg);
    return NULL;
}

static int
demo_exec(PyObject *module)
{
    demo_state *st = PyModule_GetState(module);

    st->error = PyErr_NewException("demo.Error", NULL, NULL);
    if (st->error == NULL || PyModule_AddObjectRef(module, "Error", st->error) < 0)
        return -1;
    return PyModule_AddIntConstant(module, "ANSWER", 42);
}

static int
demo_clear(PyObject *module)
{
    demo_state *st = PyModule_GetState(module);

    Py_CLEAR(st->error);
    return 0;
}

static void
demo_free(void *module)
{
    demo_clear(module);
}

static PyMethodDef demo_methods[] = {
    {"hello", demo_hello, METH_NOARGS, "Return a greeting."},
    {"add", demo_add, METH_VARARGS, "Add two integers."},
    {"fail", demo_fail, METH_O, "Raise demo.Error."},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot demo_slots[] = {
    {Py_mod_exec, demo_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}
};

static PyModuleDef demo_module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "demo",
    .m_doc = "A demonstration module.",
    .m_size = sizeof(demo_state),
    .m_methods = demo_methods,
    .m_slots = demo_slots,
    .m_clear = demo_clear,
    .m_free = demo_free,
};

PyMODINIT_FUNC
PyInit_demo(void)
{
    return PyModuleDef_Init(&demo_module);
}

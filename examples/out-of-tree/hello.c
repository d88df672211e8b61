/* hello: a tiny extension module built outside pymodrt's source tree, the way
 * an extension author builds their own (see README-section.md).  It is
 * written as for CPython: multi-phase initialization, per-module state,
 * GIL-free and sub-interpreter safe.
 *
 *   hello.greet(name)  -> "Hello, <name>!"   (counts greetings in the state)
 *   hello.add(a, b)    -> a + b
 *   hello.count()      -> greetings made by this module instance */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    long greetings;   /* owner thread only: the example does not share modules across threads */
} hello_state;

static PyObject *
hello_greet(PyObject *module, PyObject *args)
{
    const char *name;
    hello_state *st = PyModule_GetState(module);

    if (!PyArg_ParseTuple(args, "s:greet", &name))
        return NULL;
    st->greetings++;
    return PyUnicode_FromFormat("Hello, %s!", name);
}

static PyObject *
hello_add(PyObject *module, PyObject *args)
{
    long a, b;

    (void)module;
    if (!PyArg_ParseTuple(args, "ll:add", &a, &b))
        return NULL;
    return PyLong_FromLong(a + b);
}

static PyObject *
hello_count(PyObject *module, PyObject *unused)
{
    hello_state *st = PyModule_GetState(module);

    (void)unused;
    return PyLong_FromLong(st->greetings);
}

static int
hello_exec(PyObject *module)
{
    hello_state *st = PyModule_GetState(module);

    st->greetings = 0;
    return PyModule_AddStringConstant(module, "__version__", "1.0");
}

static PyMethodDef hello_methods[] = {
    {"greet", hello_greet, METH_VARARGS, "Return a greeting for name."},
    {"add", hello_add, METH_VARARGS, "Add two integers."},
    {"count", hello_count, METH_NOARGS, "Greetings made by this module."},
    {NULL, NULL, 0, NULL}
};

static PyModuleDef_Slot hello_slots[] = {
    {Py_mod_exec, hello_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL}
};

static PyModuleDef hello_module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "hello",
    .m_doc = "A tiny extension module built out of tree.",
    .m_size = sizeof(hello_state),
    .m_methods = hello_methods,
    .m_slots = hello_slots,
};

PyMODINIT_FUNC
PyInit_hello(void)
{
    return PyModuleDef_Init(&hello_module);
}

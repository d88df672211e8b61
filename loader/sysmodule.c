/* sysmodule.c: the minimal per-interpreter sys module (SEMANTICS.md
 * preface): sys.modules (the registry), sys.path (the search path),
 * sys.flags.gil, sys._is_gil_enabled(), sys.getdlopenflags() /
 * sys.setdlopenflags(), sys.implementation.name == "pymodrt".
 *
 * sys.path starts as PyConfig.module_search_paths when the config sets
 * them, else as the directories of PYMODRT_PATH (colon-separated) when the
 * config reads the environment.  Embedders change it at run time like any
 * list (PyList_Append(PySys_GetObject("path"), dir)). */
#include "loader.h"

/* A namespace object (types.SimpleNamespace) for sys.flags and
 * sys.implementation: attributes live in its dict. */
typedef struct {
    PyObject_HEAD
    PyObject *dict;
} ns_object;

static void
ns_dealloc(PyObject *self)
{
    Py_XDECREF(((ns_object *)self)->dict);
    PyObject_Free(self);
}

static PyObject *
ns_repr(PyObject *self)
{
    PyObject *d = ((ns_object *)self)->dict;

    return PyUnicode_FromFormat("namespace(%R)", d != NULL ? d : Py_None);
}

static PyTypeObject ns_type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "types.SimpleNamespace",
    .tp_basicsize = sizeof(ns_object),
    .tp_dealloc = ns_dealloc,
    .tp_repr = ns_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dictoffset = offsetof(ns_object, dict),
};

static PyObject *
ns_new(void)
{
    if (PyType_Ready(&ns_type) < 0)
        return NULL;
    return PyType_GenericAlloc(&ns_type, 0);
}

static PyObject *
sys_getdlopenflags(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromLong(__atomic_load_n(&PyInterpreterState_Get()->dlopenflags,
                                           __ATOMIC_RELAXED));
}

static PyObject *
sys_setdlopenflags(PyObject *self, PyObject *arg)
{
    int flags = PyLong_AsInt(arg);

    (void)self;
    if (flags == -1 && PyErr_Occurred())
        return NULL;
    __atomic_store_n(&PyInterpreterState_Get()->dlopenflags, flags, __ATOMIC_RELAXED);
    Py_RETURN_NONE;
}

static PyObject *
sys_is_gil_enabled(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyBool_FromLong(rt_gil_is_enabled(PyInterpreterState_Get()));
}

static PyMethodDef sys_methods[] = {
    {"getdlopenflags", sys_getdlopenflags, METH_NOARGS, NULL},
    {"setdlopenflags", sys_setdlopenflags, METH_O, NULL},
    {"_is_gil_enabled", sys_is_gil_enabled, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef sys_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sys",
    .m_doc = "pymodrt's sys: the registry, the search path and runtime flags.",
    .m_size = -1,
    .m_methods = sys_methods,
};

static int
path_append_utf8(PyObject *list, const char *s, size_t n)
{
    PyObject *item = PyUnicode_DecodeFSDefaultAndSize(s, (Py_ssize_t)n);
    int r;

    if (item == NULL)
        return -1;
    r = PyList_Append(list, item);
    Py_DECREF(item);
    return r;
}

static PyObject *
initial_path(void)
{
    const PyConfig *c = &rt_runtime.config;
    PyObject *path = PyList_New(0);

    if (path == NULL)
        return NULL;
    if (c->module_search_paths_set) {
        for (Py_ssize_t i = 0; i < c->module_search_paths.length; i++) {
            char buf[4096];
            size_t n = wcstombs(buf, c->module_search_paths.items[i], sizeof(buf));
            if (n == (size_t)-1 || n == sizeof(buf))
                continue;   /* not encodable or too long: no file could match */
            if (path_append_utf8(path, buf, n) < 0)
                goto error;
        }
        return path;
    }
    if (c->use_environment && !c->isolated) {
        const char *env = getenv("PYMODRT_PATH");
        while (env != NULL && *env != '\0') {
            const char *colon = strchr(env, ':');
            size_t n = colon ? (size_t)(colon - env) : strlen(env);
            if (n > 0 && path_append_utf8(path, env, n) < 0)
                goto error;
            env = colon ? colon + 1 : NULL;
        }
    }
    return path;
error:
    Py_DECREF(path);
    return NULL;
}

PyObject *
imp_sys_create(PyInterpreterState *interp)
{
    PyObject *m, *dict, *path = NULL, *flags = NULL, *impl = NULL, *v = NULL;
    int enable_gil = rt_runtime.config.enable_gil;

    m = PyModule_Create(&sys_def);
    if (m == NULL)
        return NULL;
    dict = PyModule_GetDict(m);
    path = initial_path();
    flags = ns_new();
    impl = ns_new();
    if (path == NULL || flags == NULL || impl == NULL)
        goto error;
    v = enable_gil < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(enable_gil);
    if (v == NULL || PyObject_SetAttrString(flags, "gil", v) < 0)
        goto error;
    Py_CLEAR(v);
    v = PyUnicode_FromString("pymodrt");
    if (v == NULL || PyObject_SetAttrString(impl, "name", v) < 0)
        goto error;
    Py_CLEAR(v);
    if (PyDict_SetItemString(dict, "modules", interp->modules) < 0 ||
        PyDict_SetItemString(dict, "path", path) < 0 ||
        PyDict_SetItemString(dict, "flags", flags) < 0 ||
        PyDict_SetItemString(dict, "implementation", impl) < 0)
        goto error;
    /* interp->sysdict is sys.__dict__: the loader reads sys.path from it. */
    if (PyDict_Update(interp->sysdict, dict) < 0)
        goto error;
    Py_SETREF(interp->sysdict, Py_NewRef(dict));
    Py_DECREF(path);
    Py_DECREF(flags);
    Py_DECREF(impl);
    return m;
error:
    Py_XDECREF(v);
    Py_XDECREF(path);
    Py_XDECREF(flags);
    Py_XDECREF(impl);
    Py_DECREF(m);
    return NULL;
}

PyObject *
PySys_GetObject(const char *name)
{
    PyThreadState *ts = ts_get();
    PyObject *v;

    if (ts == NULL)
        return NULL;
    v = PyDict_GetItemString(ts->interp->sysdict, name);
    if (v == NULL)
        PyErr_Clear();
    return v;
}

int
PySys_SetObject(const char *name, PyObject *v)
{
    PyObject *d = PyInterpreterState_Get()->sysdict;

    if (v == NULL) {
        int r = PyDict_DelItemString(d, name);
        if (r < 0 && PyErr_ExceptionMatches(PyExc_KeyError)) {
            PyErr_Clear();
            return 0;
        }
        return r;
    }
    return PyDict_SetItemString(d, name, v);
}

/* pymodrt-demo: an embedding program.  It starts the runtime the way an
 * application embedding CPython does, imports the documentation's example
 * modules from their .so files through pymodrt's loader, calls them, and
 * prints what happened.  Exit status 0 when every step behaved as
 * documented.
 *
 * Usage: pymodrt-demo [EXAMPLES_DIR]   (default: the build tree's) */
#include <Python.h>
#include <pymodrt.h>

static int failures;

static void
show(const char *what, PyObject *obj)
{
    if (obj == NULL) {
        printf("  %-34s FAILED: ", what);
        fflush(stdout);
        PyErr_Print();
        failures++;
        return;
    }
    PyObject *r = PyObject_Repr(obj);
    printf("  %-34s %s\n", what, r ? PyUnicode_AsUTF8(r) : "?");
    Py_XDECREF(r);
    Py_DECREF(obj);
}

static void
expect_error(const char *what, PyObject *obj)
{
    if (obj != NULL) {
        printf("  %-34s unexpectedly succeeded\n", what);
        Py_DECREF(obj);
        failures++;
        return;
    }
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *s = PyObject_Str(exc);
    printf("  %-34s raised %s: %s\n", what, Py_TYPE(exc)->tp_name,
           s ? PyUnicode_AsUTF8(s) : "?");
    Py_XDECREF(s);
    Py_DECREF(exc);
}

static PyObject *
call(PyObject *mod, const char *func, PyObject *args)
{
    PyObject *f = PyObject_GetAttrString(mod, func), *r;

    if (f == NULL) {
        Py_XDECREF(args);
        return NULL;
    }
    r = PyObject_Call(f, args, NULL);
    Py_DECREF(f);
    Py_DECREF(args);
    return r;
}

static void
add_path(PyConfig *config, const char *dir, const char *sub)
{
    char buf[4096];
    wchar_t wbuf[4096];

    snprintf(buf, sizeof buf, "%s/%s", dir, sub);
    mbstowcs(wbuf, buf, sizeof wbuf / sizeof wbuf[0]);
    PyWideStringList_Append(&config->module_search_paths, wbuf);
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : PYMODRT_EXAMPLE_DIR;
    PyConfig config;
    PyStatus status;
    PyObject *demo, *spam, *m;
    char path[4096];

    PyConfig_InitPythonConfig(&config);
    config.module_search_paths_set = 1;
    add_path(&config, dir, "demo");
    add_path(&config, dir, "spam");
    status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
        Py_ExitStatusException(status);

    printf("pymodrt %s (C API %d.%d), allocator: %s\n", PYMODRT_VERSION, PY_MAJOR_VERSION,
           PY_MINOR_VERSION, pymodrt_mem_uses_jemalloc() ? "jemalloc" : "system");

    printf("demo (multi-phase, per-module state, GIL-free):\n");
    demo = PyImport_ImportModule("demo");
    if (demo != NULL) {
        show("demo", Py_NewRef(demo));
        show("demo.hello()", call(demo, "hello", PyTuple_New(0)));
        show("demo.add(2, 40)", call(demo, "add", Py_BuildValue("(ii)", 2, 40)));
        show("demo.ANSWER", PyObject_GetAttrString(demo, "ANSWER"));
        expect_error("demo.add(1)", call(demo, "add", Py_BuildValue("(i)", 1)));
        expect_error("demo.fail('x')", call(demo, "fail", Py_BuildValue("(s)", "x")));
        show("import demo again (same object)", PyBool_FromLong(PyImport_ImportModule("demo") == demo));
        Py_DECREF(demo);   /* one for the import above */
        Py_DECREF(demo);
    } else {
        show("import demo", NULL);
    }

    printf("spam (single-phase, as in the tutorial):\n");
    spam = PyImport_ImportModule("spam");
    if (spam != NULL) {
        show("spam", Py_NewRef(spam));
        show("spam.system('true')", call(spam, "system", Py_BuildValue("(s)", "true")));
        show("spam.system('exit 3') status", call(spam, "system", Py_BuildValue("(s)", "exit 3")));
        show("spam.error", PyObject_GetAttrString(spam, "error"));
        Py_DECREF(spam);
    } else {
        show("import spam", NULL);
    }

    printf("spam from explicit files (multi-phase, then export hook):\n");
    PyDict_DelItemString(PyImport_GetModuleDict(), "spam");
    snprintf(path, sizeof path, "%s/spam_multiphase/spam.so", dir);
    m = pymodrt_import_file("spam", path);
    show("multi-phase spam", m == NULL ? NULL : Py_NewRef(m));
    if (m != NULL) {
        show("spam.system('true')", call(m, "system", Py_BuildValue("(s)", "true")));
        Py_DECREF(m);
    }
    PyDict_DelItemString(PyImport_GetModuleDict(), "spam");
    snprintf(path, sizeof path, "%s/spam_export/spam.so", dir);
    m = pymodrt_import_file("spam", path);
    show("export-hook spam", m == NULL ? NULL : Py_NewRef(m));
    if (m != NULL) {
        show("spam.__doc__", PyObject_GetAttrString(m, "__doc__"));
        Py_DECREF(m);
    }

    printf("errors:\n");
    expect_error("import no_such_module", PyImport_ImportModule("no_such_module"));
    expect_error("import 'a/b'", PyImport_ImportModule("a/b"));

    if (Py_FinalizeEx() < 0)
        failures++;
    printf("%s\n", failures ? "FAILED" : "ok");
    fflush(stdout);
    return failures ? 1 : 0;
}

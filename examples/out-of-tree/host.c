/* hello-host: a tiny program that embeds pymodrt.  It starts the runtime
 * with DIR as the module search path, imports MODULE (default "hello"),
 * calls greet() and add(), and repeats the import N times, dropping the
 * module from sys.modules each time so that every round runs the module's
 * initialization again.  Exit status 0 when every round behaved.
 *
 * Usage: hello-host [--iterations N] DIR [MODULE] */
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int
one_round(const char *name)
{
    PyObject *mod, *greeting, *sum;
    int ok = 0;

    mod = PyImport_ImportModule(name);
    if (mod == NULL)
        return -1;
    greeting = PyObject_CallMethod(mod, "greet", "s", "pymodrt");
    sum = PyObject_CallMethod(mod, "add", "ii", 2, 40);
    if (greeting != NULL && sum != NULL) {
        ok = strcmp(PyUnicode_AsUTF8(greeting), "Hello, pymodrt!") == 0 &&
             PyLong_AsLong(sum) == 42;
        if (!ok && !PyErr_Occurred())
            PyErr_SetString(PyExc_AssertionError, "unexpected result from the module");
    }
    Py_XDECREF(greeting);
    Py_XDECREF(sum);
    Py_DECREF(mod);
    if (ok && PyDict_DelItemString(PyImport_GetModuleDict(), name) < 0)
        ok = 0;
    return ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
    long iterations = 1;
    const char *dir, *name;
    wchar_t wdir[4096];
    PyConfig config;
    PyStatus status;
    int argi = 1, failed = 0;

    if (argc > 2 && strcmp(argv[1], "--iterations") == 0) {
        iterations = strtol(argv[2], NULL, 10);
        argi = 3;
    }
    if (argi >= argc || iterations < 1) {
        fprintf(stderr, "usage: %s [--iterations N] DIR [MODULE]\n", argv[0]);
        return 2;
    }
    dir = argv[argi];
    name = argi + 1 < argc ? argv[argi + 1] : "hello";

    PyConfig_InitIsolatedConfig(&config);
    config.module_search_paths_set = 1;
    mbstowcs(wdir, dir, sizeof wdir / sizeof wdir[0] - 1);
    wdir[sizeof wdir / sizeof wdir[0] - 1] = L'\0';
    status = PyWideStringList_Append(&config.module_search_paths, wdir);
    if (!PyStatus_Exception(status))
        status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
        Py_ExitStatusException(status);

    for (long i = 0; i < iterations; i++) {
        if (one_round(name) < 0) {
            fprintf(stderr, "hello-host: round %ld: ", i + 1);
            PyErr_Print();
            failed = 1;
            break;
        }
    }
    if (Py_FinalizeEx() < 0)
        failed = 1;
    if (!failed)
        printf("hello-host: imported %s from %s %ld times: ok\n", name, dir, iterations);
    return failed;
}

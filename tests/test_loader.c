/* test_loader: importing extension modules through the real loader.
 * ctest-labels: unit
 *
 * Each test names the SEMANTICS.md 10 item(s) it checks.  Test modules are
 * built into PYMODRT_TEST_MODULE_DIR (tests/modules/); initcases.so holds
 * many modules, imported by name with pymodrt_import_file. */
#include "testutil.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char initcases[4096];

/* A built-in module, registered in the inittab before start-up. */
static PyModuleDef builtin_def = {PyModuleDef_HEAD_INIT, "builtin_demo", "built in", -1, NULL,
                                  NULL, NULL, NULL, NULL};

static PyObject *
PyInit_builtin_demo(void)
{
    return PyModule_Create(&builtin_def);
}

static int
setup(void **state)
{
    snprintf(initcases, sizeof initcases, "%s/initcases.so", PYMODRT_TEST_MODULE_DIR);
    setenv("PYMODRT_PATH", PYMODRT_TEST_MODULE_DIR, 1);
    if (PyImport_AppendInittab("builtin_demo", PyInit_builtin_demo) != 0)
        return -1;
    return tu_runtime_up(state);
}

/* The registry's keys, to check that a failed import leaves it as it was. */
static PyObject *
registry_keys(void)
{
    return PyDict_Keys(PyImport_GetModuleDict());
}

static void
assert_registry_is(PyObject *before)
{
    PyObject *after = registry_keys();
    assert_non_null(after);
    assert_int_equal(PyObject_RichCompareBool(before, after, Py_EQ), 1);
    Py_DECREF(after);
    Py_DECREF(before);
}

static const char *
attr_str(PyObject *o, const char *name, char *buf, size_t n)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    PyObject *s = v ? PyObject_Str(v) : NULL;

    snprintf(buf, n, "%s", s ? PyUnicode_AsUTF8(s) : "<error>");
    Py_XDECREF(v);
    Py_XDECREF(s);
    PyErr_Clear();
    return buf;
}

static long
call_long(PyObject *mod, const char *func)
{
    PyObject *r = PyObject_CallMethod(mod, func, NULL);
    long v;

    tu_assert_no_exc();
    assert_non_null(r);
    v = PyLong_AsLong(r);
    Py_DECREF(r);
    return v;
}

static long
attr_long(PyObject *mod, const char *name)
{
    PyObject *r = PyObject_GetAttrString(mod, name);
    long v;

    tu_assert_no_exc();
    assert_non_null(r);
    v = PyLong_AsLong(r);
    Py_DECREF(r);
    return v;
}

/* Imports case NAME from initcases.so and expects TYPE(MSG) (MSG NULL:
 * any), with the registry unchanged. */
static void
expect_case_fails(const char *name, PyObject *type, const char *msg)
{
    PyObject *before = registry_keys();
    PyObject *m = pymodrt_import_file(name, initcases);

    if (m != NULL)
        fail_msg("import of %s succeeded", name);
    tu_assert_exc(type, msg);
    assert_registry_is(before);
}

/* ------------------------------------------------------------- items */

static void
test_pyinit_results(void **state)   /* items 11-16 */
{
    (void)state;
    expect_case_fails("null_noexc", PyExc_SystemError,
                      "initialization of null_noexc failed without raising an exception");
    expect_case_fails("null_exc", PyExc_ValueError, "init failed on purpose");
    expect_case_fails("unreported", PyExc_SystemError,
                      "initialization of unreported raised unreported exception");
    expect_case_fails("uninit", PyExc_SystemError,
                      "init function of uninit returned uninitialized object");
    expect_case_fails("returns_int", PyExc_SystemError,
                      "initialization of returns_int did not return an extension module");
    expect_case_fails("no_def", PyExc_SystemError,
                      "initialization of no_def did not return a valid extension module");
}

static void
test_unreported_is_chained(void **state)   /* item 13 */
{
    PyObject *exc, *cause;

    (void)state;
    assert_null(pymodrt_import_file("unreported", initcases));
    exc = PyErr_GetRaisedException();
    assert_non_null(exc);
    cause = PyException_GetCause(exc);
    assert_non_null(cause);
    assert_true(Py_IS_TYPE(cause, (PyTypeObject *)PyExc_KeyError));
    Py_DECREF(cause);
    Py_DECREF(exc);
}

static void
test_hook_missing_and_dlopen_failure(void **state)   /* items 5, 6 */
{
    char path[4096], buf[256];
    PyObject *exc, *before;
    FILE *f;

    (void)state;
    snprintf(path, sizeof path, "%s/nohook.so", PYMODRT_TEST_MODULE_DIR);
    before = registry_keys();
    assert_null(pymodrt_import_file("nohook", path));
    exc = PyErr_GetRaisedException();
    assert_true(Py_IS_TYPE(exc, (PyTypeObject *)PyExc_ImportError));
    assert_string_equal(attr_str(exc, "msg", buf, sizeof buf),
        "dynamic module does not define module export function (PyModExport_nohook or PyInit_nohook)");
    assert_string_equal(attr_str(exc, "name", buf, sizeof buf), "nohook");
    assert_string_equal(attr_str(exc, "path", buf, sizeof buf), path);
    Py_DECREF(exc);
    assert_registry_is(before);

    /* a file that is not a shared library */
    snprintf(path, sizeof path, "/tmp/pymodrt-notelf-%d.so", (int)getpid());
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not an ELF file\n", f);
    fclose(f);
    before = registry_keys();
    assert_null(pymodrt_import_file("pkg.notelf", path));
    exc = PyErr_GetRaisedException();
    unlink(path);
    assert_true(Py_IS_TYPE(exc, (PyTypeObject *)PyExc_ImportError));
    assert_non_null(strstr(attr_str(exc, "msg", buf, sizeof buf), "notelf"));
    assert_string_equal(attr_str(exc, "name", buf, sizeof buf), "notelf");
    assert_string_equal(attr_str(exc, "path", buf, sizeof buf), path);
    Py_DECREF(exc);
    assert_registry_is(before);

    /* a missing file */
    assert_null(pymodrt_import_file("missing", "/nonexistent/dir/missing.so"));
    tu_assert_exc(PyExc_ImportError, NULL);
}

static void
test_not_found_and_hostile_names(void **state)   /* item 103 and name checks */
{
    static const char *const bad[] = {"a/b", "a..b", ".a", "a.", "../../etc/passwd", "x\\y"};
    char longname[2048];

    (void)state;
    assert_null(PyImport_ImportModule("no_such_module_anywhere"));
    tu_assert_exc(PyExc_ModuleNotFoundError, "No module named 'no_such_module_anywhere'");
    assert_null(PyImport_ImportModule(""));
    tu_assert_exc(PyExc_ValueError, "Empty module name");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        PyObject *before = registry_keys();
        assert_null(PyImport_ImportModule(bad[i]));
        tu_assert_exc(PyExc_ModuleNotFoundError, NULL);
        assert_registry_is(before);
    }
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_null(PyImport_ImportModule(longname));
    tu_assert_exc(PyExc_ModuleNotFoundError, NULL);

    assert_int_equal(PyDict_SetItemString(PyImport_GetModuleDict(), "halted", Py_None), 0);
    assert_null(PyImport_ImportModule("halted"));
    tu_assert_exc(PyExc_ModuleNotFoundError, "import of halted halted; None in sys.modules");
    assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "halted"), 0);

    assert_null(PyImport_ImportModule("single.child"));
    tu_assert_exc(PyExc_ModuleNotFoundError,
                  "No module named 'single.child'; 'single' is not a package");
}

static void
test_single_phase_m_copy(void **state)   /* items 21-26, 115 */
{
    PyObject *a, *b, *fa, *fb, *self, *r;
    char buf[4096], expect[4096];

    (void)state;
    a = PyImport_ImportModule("single");
    assert_non_null(a);
    assert_int_equal(call_long(a, "init_calls"), 1);
    snprintf(expect, sizeof expect, "%s/single.so", PYMODRT_TEST_MODULE_DIR);
    assert_string_equal(attr_str(a, "__file__", buf, sizeof buf), expect);
    snprintf(expect, sizeof expect, "<module 'single' from '%s/single.so'>",
             PYMODRT_TEST_MODULE_DIR);
    r = PyObject_Repr(a);
    assert_string_equal(PyUnicode_AsUTF8(r), expect);
    Py_DECREF(r);
    assert_ptr_equal(PyImport_ImportModule("single"), a);   /* a registry hit */
    Py_DECREF(a);
    /* mutate after import: the snapshot must win on re-import (item 26) */
    assert_int_equal(PyObject_SetAttrString(a, "value", Py_None), 0);

    assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "single"), 0);
    b = PyImport_ImportModule("single");
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(call_long(b, "init_calls"), 1);      /* PyInit not called again */
    assert_int_equal(attr_long(b, "value"), 10);
    assert_null(PyModule_GetDef(b));                       /* item 25 */
    tu_assert_no_exc();
    Py_ssize_t size;                                       /* item 71 */
    assert_int_equal(PyModule_GetStateSize(a, &size), 0);
    assert_int_equal(size, -1);                            /* m_size == -1 */
    assert_int_equal(PyModule_GetStateSize(b, &size), 0);
    assert_int_equal(size, 0);                             /* restored from m_copy: defaults */
    PyObject *sys = PyImport_ImportModule("sys");
    assert_int_equal(PyModule_GetStateSize(sys, &size), 0);
    assert_int_equal(size, -1);
    Py_DECREF(sys);
    fa = PyObject_GetAttrString(a, "init_calls");
    fb = PyObject_GetAttrString(b, "init_calls");
    assert_ptr_equal(fa, fb);                              /* item 24 */
    self = PyObject_GetAttrString(fb, "__self__");
    assert_ptr_equal(self, a);
    Py_DECREF(self);
    Py_DECREF(fa);
    Py_DECREF(fb);
    Py_DECREF(a);
    Py_DECREF(b);
}

static void
test_single_phase_reinit(void **state)   /* item 27, 97 */
{
    PyObject *a, *b;

    (void)state;
    a = PyImport_ImportModule("reinit");
    assert_non_null(a);
    assert_int_equal(call_long(a, "init_calls"), 1);
    assert_int_equal(call_long(a, "bump"), 1);
    assert_int_equal(call_long(a, "bump"), 2);
    assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "reinit"), 0);
    b = PyImport_ImportModule("reinit");
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(call_long(b, "init_calls"), 2);      /* PyInit ran again */
    assert_int_equal(call_long(b, "bump"), 1);            /* fresh state */
    Py_DECREF(a);
    Py_DECREF(b);
}

static void
test_multi_phase_import(void **state)   /* items 36, 50, 52, 60, 61 */
{
    PyObject *a, *b, *spec, *loader, *v;
    char buf[4096], expect[4096];

    (void)state;
    a = PyImport_ImportModule("multi");
    assert_non_null(a);
    assert_int_equal(call_long(a, "state_token"), call_long(a, "exec_calls"));
    long first = call_long(a, "exec_calls");
    snprintf(expect, sizeof expect, "%s/multi.so", PYMODRT_TEST_MODULE_DIR);
    assert_string_equal(attr_str(a, "__file__", buf, sizeof buf), expect);
    assert_string_equal(attr_str(a, "__package__", buf, sizeof buf), "");
    assert_string_equal(attr_str(a, "__name__", buf, sizeof buf), "multi");
    spec = PyObject_GetAttrString(a, "__spec__");
    assert_non_null(spec);
    assert_string_equal(attr_str(spec, "origin", buf, sizeof buf), expect);
    assert_string_equal(attr_str(spec, "_initializing", buf, sizeof buf), "False");
    loader = PyObject_GetAttrString(a, "__loader__");
    assert_string_equal(Py_TYPE(loader)->tp_name, "ExtensionFileLoader");
    v = PyObject_GetAttrString(spec, "loader");
    assert_ptr_equal(v, loader);
    Py_DECREF(v);
    Py_DECREF(loader);
    Py_DECREF(spec);
    assert_int_equal(PyObject_HasAttrString(a, "__cached__"), 0);
    assert_ptr_equal(PyImport_ImportModule("multi"), a);
    Py_DECREF(a);

    assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "multi"), 0);
    b = PyImport_ImportModule("multi");
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(call_long(b, "exec_calls"), first + 1);   /* exec ran again */
    Py_DECREF(a);
    Py_DECREF(b);
}

/* Without explicit collections, registry misses collect by themselves:
 * after max(64, live/2) module creations, so orphans stay bounded. */
static void
test_misses_collect_orphans(void **state)
{
    pymodrt_import_stats before, after;

    (void)state;
    pymodrt_get_import_stats(&before);
    for (int i = 0; i < 256; i++) {
        PyObject *m = PyImport_ImportModule("multi");
        assert_non_null(m);
        Py_DECREF(m);
        assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "multi"), 0);
    }
    pymodrt_get_import_stats(&after);
    assert_true(after.orphans_freed - before.orphans_freed >= 256 - 2 * 64);
}

static void
test_orphan_module_freed(void **state)   /* item 114: hooks order, m_free sees state */
{
    PyObject *a, *b, *log;

    (void)state;
    a = PyImport_ImportModule("multi");
    assert_non_null(a);
    long token = call_long(a, "state_token");
    Py_DECREF(a);
    assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "multi"), 0);
    /* collecting frees the orphan: m_clear, then m_free with state */
    assert_true(pymodrt_collect_modules() >= 1);
    assert_int_equal(pymodrt_collect_modules(), 0);   /* nothing left */
    b = PyImport_ImportModule("multi");
    assert_non_null(b);
    log = PyObject_CallMethod(b, "hook_log", NULL);
    assert_non_null(log);
    char expect[64];
    snprintf(expect, sizeof expect, "clear,free:%ld", token);
    assert_non_null(strstr(PyUnicode_AsUTF8(log), expect));
    Py_DECREF(log);
    Py_DECREF(b);
}

static void
test_bad_slots(void **state)   /* items 37-46, 78, 79 */
{
    PyObject *m;
    char buf[256];

    (void)state;
    expect_case_fails("neg_size", PyExc_SystemError,
                      "module neg_size: m_size may not be negative for multi-phase initialization");
    expect_case_fails("two_create", PyExc_SystemError, "module two_create has multiple create slots");
    expect_case_fails("two_multi", PyExc_SystemError,
                      "module two_multi has more than one 'multiple interpreters' slots");
    expect_case_fails("two_gil", PyExc_SystemError, "module two_gil has more than one 'gil' slot");
    expect_case_fails("slot_99", PyExc_SystemError, "invalid module slot 99 (Py_tp_flags)");
    expect_case_fails("slot_5", PyExc_SystemError, "invalid module slot 5 (Py_mp_subscript)");
    expect_case_fails("create_null_noexc", PyExc_SystemError,
                      "creation of module create_null_noexc failed without setting an exception");
    expect_case_fails("create_unrep", PyExc_SystemError,
                      "creation of module create_unrep raised unreported exception");
    expect_case_fails("create_str_state", PyExc_SystemError,
                      "module create_str_state is not a module object, but requests module state");
    expect_case_fails("create_str_exec", PyExc_SystemError,
                      "module create_str_exec specifies execution slots, but did not create a ModuleType instance");
    /* 5.2: what the create slot returns is the import's result */
    m = pymodrt_import_file("create_str_ok", initcases);
    assert_non_null(m);
    assert_true(PyUnicode_Check(m));
    assert_string_equal(PyUnicode_AsUTF8(m), "not a module");
    Py_DECREF(m);
    /* item 47: a non-module without state or exec is fine; methods set on it */
    m = pymodrt_import_file("create_obj_methods", initcases);
    assert_non_null(m);
    assert_false(PyModule_Check(m));
    assert_int_equal(call_long(m, "answer"), 42);
    /* the function's __self__ is the object: a cycle only a GC could free */
    assert_int_equal(PyObject_DelAttrString(m, "answer"), 0);
    Py_DECREF(m);
    /* item 79: the old IDs 1-4 still mean create, exec, ..., gil */
    m = pymodrt_import_file("old_ids", initcases);
    assert_non_null(m);
    assert_string_equal(attr_str(m, "executed", buf, sizeof buf), "1");
    Py_DECREF(m);
}

static void
test_exec_results(void **state)   /* items 53-57, 59 */
{
    PyObject *m, *exc, *cause, *s;
    char buf[256];

    (void)state;
    expect_case_fails("exec_raises", PyExc_OSError, "exec failed");
    assert_null(pymodrt_import_file("exec_noexc", initcases));
    exc = PyErr_GetRaisedException();
    assert_true(Py_IS_TYPE(exc, (PyTypeObject *)PyExc_SystemError));
    s = PyObject_Str(exc);
    assert_true(strncmp(PyUnicode_AsUTF8(s), "execution of <module 'exec_noexc' from '", 40) == 0);
    assert_non_null(strstr(PyUnicode_AsUTF8(s), "> failed without setting an exception"));
    Py_DECREF(s);
    Py_DECREF(exc);
    assert_null(PyDict_GetItemString(PyImport_GetModuleDict(), "exec_noexc"));

    assert_null(pymodrt_import_file("exec_unrep", initcases));
    exc = PyErr_GetRaisedException();
    s = PyObject_Str(exc);
    assert_non_null(strstr(PyUnicode_AsUTF8(s), "raised unreported exception"));
    cause = PyException_GetCause(exc);
    assert_true(cause != NULL && Py_IS_TYPE(cause, (PyTypeObject *)PyExc_TypeError));
    Py_XDECREF(cause);
    Py_DECREF(s);
    Py_DECREF(exc);

    m = pymodrt_import_file("exec_order", initcases);
    assert_non_null(m);
    assert_string_equal(attr_str(m, "order", buf, sizeof buf), "first,second");
    Py_DECREF(m);
    m = pymodrt_import_file("exec_registry", initcases);
    assert_non_null(m);
    assert_string_equal(attr_str(m, "saw_itself_initializing", buf, sizeof buf), "True");
    Py_DECREF(m);
    m = pymodrt_import_file("exec_counter", initcases);
    assert_non_null(m);
    assert_string_equal(attr_str(m, "runs", buf, sizeof buf), "1");
    assert_int_equal(PyModule_Exec(m), 0);                  /* item 59 */
    assert_string_equal(attr_str(m, "runs", buf, sizeof buf), "2");
    Py_DECREF(m);
}

static void
test_export_hook(void **state)   /* items 3, 4, 66, 73-75, 80, 81 */
{
    PyObject *m;
    void *token, *handle;
    PySlot *(*hook)(void);

    (void)state;
    m = pymodrt_import_file("export_ok", initcases);
    assert_non_null(m);
    assert_int_equal(call_long(m, "answer"), 42);
    assert_null(PyModule_GetDef(m));
    tu_assert_no_exc();
    assert_int_equal(PyModule_GetToken(m, &token), 0);
    handle = dlopen(initcases, RTLD_NOW);
    assert_non_null(handle);
    *(void **)&hook = dlsym(handle, "PyModExport_export_ok");
    assert_ptr_equal(token, hook());
    dlclose(handle);
    Py_ssize_t size;
    assert_int_equal(PyModule_GetStateSize(m, &size), 0);
    assert_int_equal(size, 16);
    Py_DECREF(m);

    expect_case_fails("export_exc", PyExc_LookupError, "hook failed on purpose");
    expect_case_fails("export_null", PyExc_SystemError,
        "module export hook for module 'export_null' failed without setting an exception");
    expect_case_fails("export_abi2", PyExc_ImportError, "export_abi2: PyABIInfo version too high");
    expect_case_fails("export_gilonly", PyExc_ImportError,
                      "export_gilonly: incompatible with free-threaded CPython");
    expect_case_fails("export_nonstatic", PyExc_SystemError, "Py_mod_methods requires PySlot_STATIC");
    expect_case_fails("export_deep", PyExc_SystemError,
                      "Py_slot_subslots (slot 92): too many levels of nested slots");
}

static void
test_sys_module(void **state)   /* item 7, 115 */
{
    PyObject *sys = PyImport_ImportModule("sys"), *r, *flags, *v;
    char buf[256];

    (void)state;
    assert_non_null(sys);
    r = PyObject_Repr(sys);
    assert_string_equal(PyUnicode_AsUTF8(r), "<module 'sys'>");
    Py_DECREF(r);
    v = PyObject_CallMethod(sys, "getdlopenflags", NULL);
    assert_int_equal(PyLong_AsLong(v), RTLD_NOW);
    Py_DECREF(v);
    flags = PyObject_GetAttrString(sys, "implementation");
    assert_string_equal(attr_str(flags, "name", buf, sizeof buf), "pymodrt");
    Py_DECREF(flags);
    v = PyObject_GetAttrString(sys, "modules");
    assert_ptr_equal(v, PyImport_GetModuleDict());
    Py_DECREF(v);
    Py_DECREF(sys);
}

static void
test_packages(void **state)   /* items 1, 10, 18-20 */
{
    PyObject *child, *pkg, *attr, *path, *other, *r;
    char buf[4096], expect[4096];

    (void)state;
    child = PyImport_ImportModule("pkg.child");
    assert_non_null(child);
    assert_string_equal(attr_str(child, "__name__", buf, sizeof buf), "pkg.child");   /* 19 */
    snprintf(expect, sizeof expect, "%s/pkg/child.so", PYMODRT_TEST_MODULE_DIR);
    assert_string_equal(attr_str(child, "__file__", buf, sizeof buf), expect);
    assert_string_equal(attr_str(child, "__package__", buf, sizeof buf), "pkg");
    pkg = PyDict_GetItemString(PyImport_GetModuleDict(), "pkg");
    assert_non_null(pkg);
    attr = PyObject_GetAttrString(pkg, "child");                 /* bound to the parent */
    assert_ptr_equal(attr, child);
    Py_DECREF(attr);
    path = PyObject_GetAttrString(pkg, "__path__");
    snprintf(expect, sizeof expect, "['%s/pkg']", PYMODRT_TEST_MODULE_DIR);
    r = PyObject_Repr(path);
    assert_string_equal(PyUnicode_AsUTF8(r), expect);
    Py_DECREF(r);
    Py_DECREF(path);
    /* item 10: the loader says it is a package */
    PyObject *loader = PyObject_GetAttrString(pkg, "__loader__");
    r = PyObject_CallMethod(loader, "is_package", "s", "pkg");
    assert_ptr_equal(r, Py_True);
    Py_DECREF(r);
    Py_DECREF(loader);
    Py_DECREF(child);

    other = PyImport_ImportModule("pkg.mismatch");               /* item 20 */
    assert_non_null(other);
    assert_string_equal(attr_str(other, "__name__", buf, sizeof buf), "other");
    assert_ptr_equal(PyDict_GetItemString(PyImport_GetModuleDict(), "pkg.mismatch"), other);
    Py_DECREF(other);

    assert_null(PyImport_ImportModule("pkg.broken"));            /* item 18 */
    tu_assert_exc(PyExc_SystemError, "initialization of broken failed without raising an exception");
    assert_null(PyImport_ImportModule("pkg.missing"));
    tu_assert_exc(PyExc_ModuleNotFoundError, "No module named 'pkg.missing'");
    r = PyImport_ImportModuleLevel("pkg.child", NULL, NULL, NULL, 0);   /* evaluates to pkg */
    assert_ptr_equal(r, pkg);
    Py_DECREF(r);
}

static void
test_non_ascii_names(void **state)   /* items 2, 17 */
{
    PyObject *m;
    char buf[256];

    (void)state;
    m = PyImport_ImportModule("b\xc3\xbc" "cher");
    assert_non_null(m);
    assert_string_equal(attr_str(m, "__doc__", buf, sizeof buf), "punycode hook");
    Py_DECREF(m);
    assert_null(PyImport_ImportModule("caf\xc3\xa9"));
    tu_assert_exc(PyExc_SystemError, "initialization of caf_dma did not return PyModuleDef");
}

static void
test_inittab_and_import_api(void **state)   /* 9.6 built-in repr, PyImport_* */
{
    PyObject *m, *r, *name, *added;
    char buf[256];

    (void)state;
    m = PyImport_ImportModule("builtin_demo");
    assert_non_null(m);
    r = PyObject_Repr(m);
    assert_string_equal(PyUnicode_AsUTF8(r), "<module 'builtin_demo' (built-in)>");
    Py_DECREF(r);
    assert_string_equal(attr_str(m, "__doc__", buf, sizeof buf), "built in");
    Py_DECREF(m);

    name = PyUnicode_FromString("multi");
    m = PyImport_Import(name);
    assert_non_null(m);
    r = PyImport_GetModule(name);
    assert_ptr_equal(r, m);
    Py_DECREF(r);
    r = PyImport_ReloadModule(m);                 /* item 58: exec does not run again */
    assert_ptr_equal(r, m);
    Py_DECREF(r);
    Py_DECREF(m);
    Py_DECREF(name);
    name = PyUnicode_FromString("never_imported");
    assert_null(PyImport_GetModule(name));
    tu_assert_no_exc();
    Py_DECREF(name);

    added = PyImport_AddModuleRef("scratch_mod");
    assert_non_null(added);
    assert_ptr_equal(PyImport_AddModule("scratch_mod"), added);   /* the same module */
    assert_ptr_equal(PyImport_AddModuleRef("scratch_mod"), added);
    Py_DECREF(added);
    Py_DECREF(added);
    assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), "scratch_mod"), 0);
}

static const pymodrt_module_info *
find_info(const pymodrt_module_info *infos, int n, const char *hook)
{
    for (int i = 0; i < n; i++)
        if (strcmp(infos[i].hook, hook) == 0)
            return &infos[i];
    fail_msg("hook %s not reported", hook);
    return NULL;
}

static void
test_inspect_file(void **state)
{
    static pymodrt_module_info infos[128];
    const pymodrt_module_info *i;
    char path[4096], err[256];
    int n;

    (void)state;
    n = pymodrt_inspect_file(initcases, infos, 128, err, sizeof err);
    assert_true(n > 30);
    i = find_info(infos, n, "PyModExport_export_ok");
    assert_int_equal(i->kind, PYMODRT_HOOK_EXPORT);
    assert_string_equal(i->module, "export_ok");
    assert_int_equal(i->slots_known, 1);
    assert_int_equal(i->gil_not_used, 1);
    assert_int_equal(i->multiple_interpreters, 1);   /* absent: the default */
    assert_int_equal(i->state_size, 16);
    assert_true(i->has_exec && i->has_methods && !i->has_create);
    i = find_info(infos, n, "PyInit_export_ok");        /* both hooks are listed */
    assert_int_equal(i->kind, PYMODRT_HOOK_INIT);
    assert_int_equal(i->slots_known, 0);
    i = find_info(infos, n, "PyModExport_export_gilonly");
    assert_int_equal(i->has_abi, 1);
    assert_int_equal(i->gil_not_used, 0);
    i = find_info(infos, n, "PyModExport_export_exc");   /* a failing hook is reported */
    assert_int_equal(i->slots_known, 0);
    assert_string_equal(i->slot_error, "export hook failed: LookupError: hook failed on purpose");
    tu_assert_no_exc();                                    /* and leaves no exception */

    snprintf(path, sizeof path, "%s/b\xc3\xbc" "cher.so", PYMODRT_TEST_MODULE_DIR);
    assert_int_equal(pymodrt_inspect_file(path, infos, 128, err, sizeof err), 1);
    assert_string_equal(infos[0].module, "b\xc3\xbc" "cher");
    assert_string_equal(infos[0].hook, "PyInitU_bcher_kva");
    snprintf(path, sizeof path, "%s/nohook.so", PYMODRT_TEST_MODULE_DIR);
    assert_int_equal(pymodrt_inspect_file(path, infos, 128, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/CMakeFiles", PYMODRT_TEST_MODULE_DIR);
    assert_int_equal(pymodrt_inspect_file(path, infos, 128, err, sizeof err), -1);
    assert_int_equal(pymodrt_inspect_file("/nonexistent.so", infos, 128, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file"));
    /* a non-ELF file and a truncated ELF header */
    snprintf(path, sizeof path, "/tmp/pymodrt-inspect-%d.so", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("\x7f" "ELF but not really an ELF file at all, just text padding it out", f);
    fclose(f);
    assert_int_equal(pymodrt_inspect_file(path, infos, 128, err, sizeof err), -1);
    unlink(path);
}

static int
import_multi_op(void *ctx)
{
    PyObject *m;

    (void)ctx;
    m = PyImport_ImportModule("multi");
    if (m == NULL)
        return -1;
    Py_DECREF(m);
    return 0;
}

static void
undo_multi(void *ctx)
{
    (void)ctx;
    if (PyDict_DelItemString(PyImport_GetModuleDict(), "multi") < 0)
        PyErr_Clear();
    /* The registry's reference is dropped a grace period later (the dict
     * defers it): let that happen, then have the next miss collect the
     * orphan, so that the byte counter can be compared. */
    tu_mem_settled();
    PyObject *r = PyImport_ImportModule("no_such_module_y");
    Py_XDECREF(r);
    PyErr_Clear();
}

static void
test_import_alloc_failures(void **state)
{
    (void)state;
    undo_multi(NULL);
    int n = tu_alloc_failure_sweep(import_multi_op, undo_multi, NULL, NULL);
    assert_true(n > 10);
}

/* Copies the test module file 'name' into directory 'dir'. */
static void
copy_module(const char *name, const char *dir)
{
    char from[4096], to[4096], buf[65536];
    FILE *in, *out;
    size_t n;

    snprintf(from, sizeof from, "%s/%s", PYMODRT_TEST_MODULE_DIR, name);
    snprintf(to, sizeof to, "%s/%s", dir, name);
    in = fopen(from, "rb");
    out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Sets a directory's mtime 'ago' seconds into the past. */
static void
age_dir(const char *dir, int ago)
{
    struct timespec t[2];

    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= ago;
    t[1] = t[0];
    assert_int_equal(utimensat(AT_FDCWD, dir, t, 0), 0);
}

static void
drop_module(const char *name)
{
    if (PyDict_DelItemString(PyImport_GetModuleDict(), name) < 0)
        PyErr_Clear();
    while (pymodrt_collect_modules() > 0)
        ;
}

/* The finder reads a settled directory once and answers from its listing
 * while the directory's mtime holds; a change to the directory (a file
 * removed or added) is seen at the next import; a directory changed too
 * recently to trust a listing, and names that are links, are searched
 * with stats. */
static void
test_directory_listings(void **state)
{
    char dir[] = "/tmp/pymodrt-listing-XXXXXX", path[4200];
    PyObject *sys_path = PySys_GetObject("path"), *d, *m;

    (void)state;
    assert_non_null(mkdtemp(dir));
    d = PyUnicode_FromString(dir);
    /* Only this directory on sys.path while the test runs. */
    PyObject *saved = PyList_GetSlice(sys_path, 0, PyList_GET_SIZE(sys_path));
    assert_non_null(saved);
    assert_int_equal(PyList_SetSlice(sys_path, 0, PyList_GET_SIZE(sys_path), NULL), 0);
    assert_int_equal(PyList_Append(sys_path, d), 0);
    /* A fresh directory: searched with stats. */
    drop_module("reinit");   /* earlier tests imported the original */
    copy_module("reinit.so", dir);
    m = PyImport_ImportModule("reinit");
    assert_non_null(m);
    assert_string_equal(attr_str(m, "__file__", path, sizeof path) + strlen(dir), "/reinit.so");
    Py_DECREF(m);
    drop_module("reinit");
    /* Settled: read once, then answered from the listing. */
    age_dir(dir, 60);
    for (int i = 0; i < 3; i++) {
        m = PyImport_ImportModule("reinit");
        assert_non_null(m);
        Py_DECREF(m);
        drop_module("reinit");
        assert_null(PyImport_ImportModule("not_in_listing"));
        tu_assert_exc(PyExc_ModuleNotFoundError, "No module named 'not_in_listing'");
    }
    /* Removing the file changes the directory: the listing is dropped. */
    snprintf(path, sizeof path, "%s/reinit.so", dir);
    assert_int_equal(unlink(path), 0);
    assert_null(PyImport_ImportModule("reinit"));
    tu_assert_exc(PyExc_ModuleNotFoundError, "No module named 'reinit'");
    /* A link in a settled directory: the listing defers to stat. */
    char target[4200];
    snprintf(target, sizeof target, "%s/reinit.so", PYMODRT_TEST_MODULE_DIR);
    assert_int_equal(symlink(target, path), 0);
    age_dir(dir, 60);
    m = PyImport_ImportModule("reinit");
    assert_non_null(m);
    Py_DECREF(m);
    drop_module("reinit");
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(PyList_SetSlice(sys_path, 0, PyList_GET_SIZE(sys_path), saved), 0);
    Py_DECREF(saved);
    Py_DECREF(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyinit_results),
        cmocka_unit_test(test_unreported_is_chained),
        cmocka_unit_test(test_hook_missing_and_dlopen_failure),
        cmocka_unit_test(test_not_found_and_hostile_names),
        cmocka_unit_test(test_single_phase_m_copy),
        cmocka_unit_test(test_single_phase_reinit),
        cmocka_unit_test(test_multi_phase_import),
        cmocka_unit_test(test_orphan_module_freed),
        cmocka_unit_test(test_misses_collect_orphans),
        cmocka_unit_test(test_bad_slots),
        cmocka_unit_test(test_exec_results),
        cmocka_unit_test(test_export_hook),
        cmocka_unit_test(test_sys_module),
        cmocka_unit_test(test_packages),
        cmocka_unit_test(test_non_ascii_names),
        cmocka_unit_test(test_inittab_and_import_api),
        cmocka_unit_test(test_inspect_file),
        cmocka_unit_test(test_import_alloc_failures),
        cmocka_unit_test(test_directory_listings),
    };
    if (getenv("TU_FILTER") != NULL)
        cmocka_set_test_filter(getenv("TU_FILTER"));
    return cmocka_run_group_tests_name("loader", tests, setup, tu_runtime_down);
}

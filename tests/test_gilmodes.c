/* test_gilmodes: the optional GIL as the runtime uses it: modes, the
 * switch-on at import (SEMANTICS 7.4, items 92-95, 97), statistics, and
 * initialize/finalize cycles with different configurations.
 * ctest-labels: unit */
#include "testutil.h"

static const char *const WARNING =
    "RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module "
    "'single', which has not declared that it can run safely without the GIL. To override "
    "this behavior and keep the GIL disabled (at your own risk), run with PYTHON_GIL=0 or "
    "-Xgil=0.";

static int64_t mem_start;

static void
start(int enable_gil)
{
    PyConfig config;
    PyStatus st;

    PyConfig_InitPythonConfig(&config);
    config.use_environment = 0;
    config.enable_gil = enable_gil;
    config.module_search_paths_set = 1;
    st = PyWideStringList_Append(&config.module_search_paths, L"" PYMODRT_TEST_MODULE_DIR);
    assert_false(PyStatus_Exception(st));
    st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    assert_false(PyStatus_Exception(st));
}

static void
stop(void)
{
    assert_int_equal(Py_FinalizeEx(), 0);
    assert_int_equal(tu_mem_settled(), mem_start);
}

static PyObject *
import_ok(const char *name)
{
    PyObject *m = PyImport_ImportModule(name);

    tu_assert_no_exc();
    assert_non_null(m);
    return m;
}

static int
sys_gil_enabled(void)
{
    PyObject *sys = import_ok("sys"), *r = PyObject_CallMethod(sys, "_is_gil_enabled", NULL);
    int v = r == Py_True;

    Py_XDECREF(r);
    Py_DECREF(sys);
    return v;
}

static void
test_gil_free_modules_never_switch(void **state)   /* the common case */
{
    pymodrt_gil_stats st;

    (void)state;
    start(-1);
    Py_DECREF(import_ok("multi"));
    Py_DECREF(import_ok("reinit"));      /* single-phase with PyUnstable_Module_SetGIL (97) */
    assert_int_equal(pymodrt_gil_enabled(), 0);
    assert_int_equal(sys_gil_enabled(), 0);
    pymodrt_gil_get_stats(&st);
    assert_int_equal(st.stop_the_world, 0);
    assert_int_equal(st.switches_on, 0);
    assert_int_equal(pymodrt_gil_switches(NULL, 0), 0);
    stop();
}

static void
test_default_mode_switches_on(void **state)   /* items 92, 93 */
{
    pymodrt_gil_switch rec[4];
    char *err;

    (void)state;
    start(-1);
    assert_int_equal(pymodrt_gil_mode(), -1);
    tu_stderr_begin();
    PyObject *m = PyImport_ImportModule("single");
    PyObject *m2 = PyImport_ImportModule("initcases_gil_user");   /* not found: no switch */
    err = tu_stderr_end();
    PyErr_Clear();
    assert_non_null(m);
    assert_null(m2);
    assert_non_null(strstr(err, WARNING));
    assert_null(strstr(strstr(err, WARNING) + strlen(WARNING), "has been enabled"));   /* once */
    free(err);
    assert_int_equal(pymodrt_gil_enabled(), 1);
    assert_int_equal(sys_gil_enabled(), 1);
    assert_int_equal(pymodrt_gil_switches(rec, 4), 1);
    assert_string_equal(rec[0].module, "single");
    /* a second GIL-using module does not warn again */
    tu_stderr_begin();
    PyObject *m3 = PyImport_ImportModule("reinit");
    err = tu_stderr_end();
    assert_non_null(m3);
    assert_null(strstr(err, "has been enabled"));
    free(err);
    Py_DECREF(m3);
    Py_DECREF(m);
    stop();
}

static void
test_mode_off_and_on(void **state)   /* items 94, 95 */
{
    char *err;

    (void)state;
    start(0);
    tu_stderr_begin();
    PyObject *m = import_ok("single");
    err = tu_stderr_end();
    assert_null(strstr(err, "GIL"));
    free(err);
    assert_int_equal(pymodrt_gil_enabled(), 0);
    Py_DECREF(m);
    stop();

    start(1);
    assert_int_equal(pymodrt_gil_enabled(), 1);
    tu_stderr_begin();
    m = import_ok("single");
    err = tu_stderr_end();
    assert_null(strstr(err, "GIL"));
    free(err);
    assert_int_equal(pymodrt_gil_switches(NULL, 0), 0);
    Py_DECREF(m);
    stop();
}

static void
test_python_gil_environment(void **state)
{
    PyConfig config;
    PyStatus st;

    (void)state;
    setenv("PYTHON_GIL", "2", 1);
    PyConfig_InitPythonConfig(&config);
    st = Py_InitializeFromConfig(&config);
    assert_true(PyStatus_IsError(st));
    assert_string_equal(st.err_msg, "PYTHON_GIL / -X gil must be \"0\" or \"1\"");
    assert_false(Py_IsInitialized());
    setenv("PYTHON_GIL", "1", 1);
    st = Py_InitializeFromConfig(&config);
    assert_false(PyStatus_Exception(st));
    assert_int_equal(pymodrt_gil_enabled(), 1);
    assert_int_equal(Py_FinalizeEx(), 0);
    /* an isolated config does not read the environment */
    PyConfig_InitIsolatedConfig(&config);
    st = Py_InitializeFromConfig(&config);
    assert_false(PyStatus_Exception(st));
    assert_int_equal(pymodrt_gil_enabled(), 0);
    assert_int_equal(Py_FinalizeEx(), 0);
    PyConfig_Clear(&config);
    unsetenv("PYTHON_GIL");
    assert_int_equal(tu_mem_settled(), mem_start);
}

static void
test_init_finalize_cycles(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        start(-1);
        PyObject *m = import_ok("multi");
        Py_DECREF(m);
        stop();
    }
}

static int
group_setup(void **state)
{
    (void)state;
    mem_start = pymodrt_mem_allocated();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gil_free_modules_never_switch),
        cmocka_unit_test(test_default_mode_switches_on),
        cmocka_unit_test(test_mode_off_and_on),
        cmocka_unit_test(test_python_gil_environment),
        cmocka_unit_test(test_init_finalize_cycles),
    };
    return cmocka_run_group_tests_name("gilmodes", tests, group_setup, NULL);
}

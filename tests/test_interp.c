/* test_interp: sub-interpreters (SEMANTICS 6, items 83, 85, 87-91) and
 * thread states across interpreters.
 * ctest-labels: unit tsan */
#include "testutil.h"

#include <pthread.h>

static char initcases[4096];

static int
setup(void **state)
{
    snprintf(initcases, sizeof initcases, "%s/initcases.so", PYMODRT_TEST_MODULE_DIR);
    setenv("PYMODRT_PATH", PYMODRT_TEST_MODULE_DIR, 1);
    return tu_runtime_up(state);
}

static PyThreadState *
new_interp(int gil)
{
    PyInterpreterConfig cfg = _PyInterpreterConfig_INIT;
    PyThreadState *ts = NULL;
    PyStatus s;

    cfg.gil = gil;
    s = Py_NewInterpreterFromConfig(&ts, &cfg);
    assert_false(PyStatus_Exception(s));
    assert_non_null(ts);
    assert_ptr_equal(PyThreadState_Get(), ts);
    return ts;
}

static long
call_long(PyObject *mod, const char *func)
{
    PyObject *r = PyObject_CallMethod(mod, func, NULL);
    long v;

    tu_assert_no_exc();
    v = PyLong_AsLong(r);
    Py_DECREF(r);
    return v;
}

static void
test_config_validation(void **state)   /* items 89-91 */
{
    PyInterpreterConfig cfg = _PyInterpreterConfig_INIT;
    PyThreadState *ts, *main_ts = PyThreadState_Get();
    PyStatus s;

    (void)state;
    cfg.check_multi_interp_extensions = 0;
    s = Py_NewInterpreterFromConfig(&ts, &cfg);
    assert_true(PyStatus_IsError(s));
    assert_string_equal(s.err_msg,
        "per-interpreter obmalloc does not support single-phase init extension modules");
    cfg.use_main_obmalloc = 1;
    s = Py_NewInterpreterFromConfig(&ts, &cfg);
    assert_string_equal(s.err_msg, "The free-threaded build does not support single-phase "
                                   "init extension modules in subinterpreters");
    cfg = (PyInterpreterConfig)_PyInterpreterConfig_INIT;
    cfg.gil = 3;
    s = Py_NewInterpreterFromConfig(&ts, &cfg);
    assert_string_equal(s.err_msg, "invalid interpreter config 'gil' value");
    assert_null(ts);
    assert_ptr_equal(PyThreadState_Get(), main_ts);
}

static void
test_isolation(void **state)   /* items 83, 85, 87 */
{
    PyThreadState *main_ts = PyThreadState_Get(), *sub;
    PyObject *main_multi, *sub_multi, *m;
    int64_t main_id = PyInterpreterState_GetID(PyInterpreterState_Get());

    (void)state;
    main_multi = PyImport_ImportModule("multi");
    assert_non_null(main_multi);
    long main_token = call_long(main_multi, "state_token");
    m = pymodrt_import_file("not_supported", initcases);   /* item 87: main always loads */
    assert_non_null(m);
    Py_DECREF(m);

    sub = new_interp(PyInterpreterConfig_OWN_GIL);
    assert_true(PyInterpreterState_GetID(PyInterpreterState_Get()) != main_id);
    assert_null(PyDict_GetItemString(PyImport_GetModuleDict(), "multi"));
    sub_multi = PyImport_ImportModule("multi");
    assert_non_null(sub_multi);
    assert_ptr_not_equal(sub_multi, main_multi);
    assert_true(call_long(sub_multi, "state_token") != main_token);   /* own state, own exec */

    assert_null(PyImport_ImportModule("single"));                       /* item 83 */
    tu_assert_exc(PyExc_ImportError, "module single does not support loading in subinterpreters");
    assert_null(pymodrt_import_file("old_ids", initcases));            /* item 85: no slot */
    tu_assert_exc(PyExc_ImportError, "module old_ids does not support loading in subinterpreters");
    assert_null(pymodrt_import_file("not_supported", initcases));
    tu_assert_exc(PyExc_ImportError,
                  "module not_supported does not support loading in subinterpreters");
    assert_null(PyDict_GetItemString(PyImport_GetModuleDict(), "single"));
    Py_DECREF(sub_multi);
    Py_EndInterpreter(sub);
    assert_null(PyThreadState_GetUnchecked());
    PyThreadState_Swap(main_ts);

    /* single's PyInit ran in the main interpreter: its snapshot serves the
     * main interpreter's import (PyInit not called again) */
    m = PyImport_ImportModule("single");
    assert_non_null(m);
    assert_int_equal(call_long(m, "init_calls"), 1);
    Py_DECREF(m);
    Py_DECREF(main_multi);
}

static void
test_shared_gil_interpreter(void **state)
{
    PyThreadState *main_ts = PyThreadState_Get(), *sub = Py_NewInterpreter();
    PyObject *m;

    (void)state;
    assert_non_null(sub);
    m = pymodrt_import_file("supported_shared", initcases);   /* SUPPORTED: shared GIL ok */
    assert_non_null(m);
    Py_DECREF(m);
    assert_null(pymodrt_import_file("not_supported", initcases));
    tu_assert_exc(PyExc_ImportError,
                  "module not_supported does not support loading in subinterpreters");
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
}

static void
test_init_failure_from_sub(void **state)   /* item 88 */
{
    PyThreadState *main_ts = PyThreadState_Get(), *sub = new_interp(PyInterpreterConfig_OWN_GIL);
    char *err;

    (void)state;
    tu_stderr_begin();
    assert_null(pymodrt_import_file("null_exc", initcases));
    err = tu_stderr_end();
    tu_assert_exc(PyExc_ImportError, "failed to import from subinterpreter due to exception");
    assert_non_null(strstr(err, "Exception while importing from subinterpreter"));
    assert_non_null(strstr(err, "ValueError: init failed on purpose"));
    free(err);
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
}

/* Threads in several interpreters at once: each thread gets its own
 * thread state in its interpreter and imports and calls concurrently. */
struct worker {
    PyInterpreterState *interp;
    long token;
    int ok;
};

static void *
interp_worker(void *arg)
{
    struct worker *w = arg;
    PyThreadState *ts = PyThreadState_New(w->interp);

    PyThreadState_Swap(ts);
    w->ok = 1;
    for (int i = 0; i < 200; i++) {
        PyObject *m = PyImport_ImportModule("multi");
        if (m == NULL) {
            w->ok = 0;
            PyErr_Clear();
            break;
        }
        PyObject *r = PyObject_CallMethod(m, "state_token", NULL);
        long t = r ? PyLong_AsLong(r) : -1;
        Py_XDECREF(r);
        if (w->token == 0)
            w->token = t;
        if (t != w->token)
            w->ok = 0;
        Py_DECREF(m);
    }
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void
test_threads_across_interpreters(void **state)
{
    PyThreadState *main_ts = PyThreadState_Get(), *subs[2];
    struct worker w[4] = {{0}};
    pthread_t t[4];

    (void)state;
    for (int i = 0; i < 2; i++) {
        subs[i] = new_interp(i == 0 ? PyInterpreterConfig_OWN_GIL : PyInterpreterConfig_SHARED_GIL);
        PyThreadState_Swap(main_ts);
    }
    for (int i = 0; i < 4; i++) {
        w[i].interp = PyThreadState_GetInterpreter(subs[i % 2]);
        assert_int_equal(pthread_create(&t[i], NULL, interp_worker, &w[i]), 0);
    }
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    Py_END_ALLOW_THREADS
    for (int i = 0; i < 4; i++)
        assert_true(w[i].ok);
    assert_int_equal(w[0].token, w[2].token);   /* same interpreter: same instance */
    assert_int_equal(w[1].token, w[3].token);
    assert_true(w[0].token != w[1].token);       /* different interpreters: own state */
    for (int i = 0; i < 2; i++) {
        PyThreadState_Swap(subs[i]);
        Py_EndInterpreter(subs[i]);
    }
    PyThreadState_Swap(main_ts);
}

static void
test_gilstate_and_swap(void **state)
{
    PyThreadState *main_ts = PyThreadState_Get(), *sub;

    (void)state;
    assert_int_equal(PyGILState_Check(), 1);
    assert_ptr_equal(PyGILState_Ensure(), PyGILState_LOCKED);
    PyGILState_Release(PyGILState_LOCKED);
    sub = new_interp(PyInterpreterConfig_OWN_GIL);
    /* one OS thread holding thread states in two interpreters */
    assert_ptr_equal(PyThreadState_Swap(main_ts), sub);
    assert_ptr_equal(PyInterpreterState_Get(), PyInterpreterState_Main());
    assert_ptr_equal(PyThreadState_Swap(sub), main_ts);
    assert_ptr_not_equal(PyInterpreterState_Get(), PyInterpreterState_Main());
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
}

/* PyGILState_Ensure on a thread whose own thread state is detached (after
 * Py_BEGIN_ALLOW_THREADS) re-attaches that thread state, as CPython does,
 * rather than making a second one; Release detaches it again.  A thread
 * state Ensure made itself is deleted by the matching outermost Release. */
static void *
gilstate_worker(void *arg)
{
    int *ok = arg;
    PyGILState_STATE outer = PyGILState_Ensure(), inner;
    PyThreadState *mine = PyThreadState_Get(), *saved;

    *ok = outer == PyGILState_UNLOCKED && PyGILState_GetThisThreadState() == mine;
    saved = PyEval_SaveThread();
    inner = PyGILState_Ensure();
    *ok = *ok && saved == mine && inner == PyGILState_UNLOCKED && PyThreadState_Get() == mine;
    PyGILState_Release(inner);
    *ok = *ok && PyThreadState_GetUnchecked() == NULL;       /* detached again */
    PyEval_RestoreThread(saved);
    PyGILState_Release(outer);
    *ok = *ok && PyThreadState_GetUnchecked() == NULL && PyGILState_GetThisThreadState() == NULL;
    return NULL;
}

static void
test_gilstate_reattaches_own_thread_state(void **state)
{
    PyThreadState *main_ts = PyThreadState_Get(), *saved;
    pthread_t t;
    int ok = 0;

    (void)state;
    /* The main thread: its bound thread state is main_ts. */
    assert_ptr_equal(PyGILState_GetThisThreadState(), main_ts);
    saved = PyEval_SaveThread();
    assert_ptr_equal(PyGILState_Ensure(), PyGILState_UNLOCKED);
    assert_ptr_equal(PyThreadState_Get(), main_ts);
    PyGILState_Release(PyGILState_UNLOCKED);
    assert_null(PyThreadState_GetUnchecked());               /* kept, detached */
    PyEval_RestoreThread(saved);
    /* Another thread, through Ensure only. */
    Py_BEGIN_ALLOW_THREADS
    assert_int_equal(pthread_create(&t, NULL, gilstate_worker, &ok), 0);
    pthread_join(t, NULL);
    Py_END_ALLOW_THREADS
    assert_true(ok);
}

/* An object freed while an interpreter is deleted, with no thread state
 * current, may still call a C function (as it could through
 * Py_EnterRecursiveCall's tolerance of no thread state). */
static int noarg_calls;
static PyObject *fn_during_delete;   /* a METH_NOARGS function */

static PyObject *
count_call(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    noarg_calls++;
    Py_RETURN_NONE;
}

static PyMethodDef count_def = {"count_call", count_call, METH_NOARGS, NULL};

static void
call_on_destroy(PyObject *capsule)
{
    (void)capsule;
    PyObject *r = PyObject_Vectorcall(fn_during_delete, NULL, 0, NULL);
    Py_XDECREF(r);
}

static void
test_call_without_thread_state_during_interpreter_delete(void **state)
{
    (void)state;
    PyThreadState *main_ts = PyThreadState_Get(), *sub = NULL;
    PyInterpreterConfig cfg = {.gil = PyInterpreterConfig_OWN_GIL,
                               .check_multi_interp_extensions = 1};

    fn_during_delete = PyCFunction_New(&count_def, NULL);
    assert_non_null(fn_during_delete);
    noarg_calls = 0;
    assert_false(PyStatus_Exception(Py_NewInterpreterFromConfig(&sub, &cfg)));
    PyObject *cap = PyCapsule_New(&noarg_calls, "test.cap", call_on_destroy);
    assert_non_null(cap);
    assert_int_equal(PyDict_SetItemString(PyInterpreterState_GetDict(PyInterpreterState_Get()),
                                          "cap", cap), 0);
    Py_DECREF(cap);
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    assert_int_equal(noarg_calls, 1);
    Py_CLEAR(fn_during_delete);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_isolation),
        cmocka_unit_test(test_shared_gil_interpreter),
        cmocka_unit_test(test_init_failure_from_sub),
        cmocka_unit_test(test_threads_across_interpreters),
        cmocka_unit_test(test_gilstate_and_swap),
        cmocka_unit_test(test_gilstate_reattaches_own_thread_state),
        cmocka_unit_test(test_call_without_thread_state_during_interpreter_delete),
    };
    if (getenv("TU_FILTER") != NULL)
        cmocka_set_test_filter(getenv("TU_FILTER"));
    return cmocka_run_group_tests_name("interp", tests, setup, tu_runtime_down);
}

/* testutil.c: see testutil.h. */
#define PYMODRT_BUILD_CORE 1
#include "testutil.h"
#include "internal/pycore.h"

static int64_t tu_mem_at_start;

int64_t
tu_mem_settled(void)
{
    rt_epoch_barrier();
    return pymodrt_mem_allocated();
}

int
tu_runtime_up(void **state)
{
    (void)state;
    tu_mem_at_start = pymodrt_mem_allocated();
    Py_Initialize();
    return Py_IsInitialized() ? 0 : -1;
}

int
tu_runtime_down(void **state)
{
    int64_t end;

    (void)state;
    if (Py_FinalizeEx() != 0)
        return -1;
    end = tu_mem_settled();
    if (end != tu_mem_at_start) {
        fprintf(stderr, "leak: %lld bytes still allocated after finalization\n",
                (long long)(end - tu_mem_at_start));
        return -1;
    }
    return 0;
}

void
tu_assert_exc_at(PyObject *type, const char *msg, const char *file, int line)
{
    PyObject *exc = PyErr_GetRaisedException();

    if (exc == NULL) {
        print_error("no exception pending; expected %s\n",
                       ((PyTypeObject *)type)->tp_name);
        _fail(file, line);
        return;
    }
    PyObject *s = PyObject_Str(exc);
    const char *text = s ? PyUnicode_AsUTF8(s) : "<str() failed>";
    int ok = Py_TYPE(exc) == (PyTypeObject *)type &&
             (msg == NULL || (text != NULL && strcmp(text, msg) == 0));
    if (!ok) {
        print_error("expected %s('%s'), got %s('%s')\n",
                       ((PyTypeObject *)type)->tp_name, msg ? msg : "*",
                       Py_TYPE(exc)->tp_name, text ? text : "?");
    }
    Py_XDECREF(s);
    Py_DECREF(exc);
    PyErr_Clear();
    if (!ok)
        _fail(file, line);
}

void
tu_assert_no_exc_at(const char *file, int line)
{
    if (PyErr_Occurred() == NULL)
        return;
    PyObject *exc = PyErr_GetRaisedException();
    PyObject *s = PyObject_Str(exc);
    print_error("unexpected %s: %s\n", Py_TYPE(exc)->tp_name,
                   s ? PyUnicode_AsUTF8(s) : "?");
    Py_XDECREF(s);
    Py_DECREF(exc);
    _fail(file, line);
}

int
tu_alloc_failure_sweep(tu_op op, void (*undo)(void *ctx), void *ctx, PyObject *exc)
{
    for (uint64_t n = 1; n < 100000; n++) {
        int64_t before = tu_mem_settled();
        uint64_t injected = pymodrt_mem_failures_injected();

        pymodrt_mem_fail_nth(n);
        int rc = op(ctx);
        pymodrt_mem_fail_nth(0);
        int reached = pymodrt_mem_failures_injected() != injected;
        if (rc == 0) {
            tu_assert_no_exc();
            if (undo != NULL)
                undo(ctx);
            if (!reached)
                return (int)(n - 1);
            /* The failure was absorbed (a cache, a retry): still fine. */
            continue;
        }
        if (!reached) {
            print_error("operation failed at n=%llu without an injected failure\n",
                           (unsigned long long)n);
            fail();
        }
        if (PyErr_Occurred() == NULL) {
            print_error("allocation failure %llu returned an error without an exception\n",
                           (unsigned long long)n);
            fail();
        }
        if (exc != NULL && !PyErr_ExceptionMatches(exc)) {
            tu_assert_exc(exc, NULL);
        }
        PyErr_Clear();
        if (undo != NULL)
            undo(ctx);
        int64_t after = tu_mem_settled();
        if (after != before) {
            print_error("allocation failure %llu leaked %lld bytes\n",
                           (unsigned long long)n, (long long)(after - before));
            fail();
        }
    }
    fail_msg("operation never succeeded");
    return -1;
}

/* test_memory: the memory layer (core/mem.c).
 * ctest-labels: unit tsan */
#include "testutil.h"

#include <pthread.h>

static void
test_counters(void **state)
{
    int64_t before = tu_mem_settled();
    uint64_t n = pymodrt_mem_allocations();
    void *p;

    (void)state;
    p = PyMem_Malloc(1000);
    assert_non_null(p);
    assert_true(pymodrt_mem_allocated() >= before + 1000);
    assert_true(pymodrt_mem_allocations() >= n + 1);
    p = PyMem_Realloc(p, 5000);
    assert_non_null(p);
    assert_true(pymodrt_mem_allocated() >= before + 5000);
    PyMem_Free(p);
    assert_int_equal(tu_mem_settled(), before);
    p = PyObject_Calloc(10, 10);
    for (int i = 0; i < 100; i++)
        assert_int_equal(((char *)p)[i], 0);
    PyObject_Free(p);
    p = PyMem_RawMalloc(0);                /* zero bytes: a unique pointer */
    assert_non_null(p);
    PyMem_RawFree(p);
    PyMem_Free(NULL);
    assert_int_equal(tu_mem_settled(), before);
}

static void
test_overflowing_sizes(void **state)
{
    (void)state;
    assert_null(PyMem_Malloc((size_t)PY_SSIZE_T_MAX + 1));
    assert_null(PyMem_Calloc(SIZE_MAX / 2, 4));
    assert_null(PyObject_Realloc(NULL, (size_t)-1));
    assert_null(PyMem_New(double, PY_SSIZE_T_MAX));
}

static void
test_fail_nth(void **state)
{
    uint64_t injected = pymodrt_mem_failures_injected();
    void *a, *b, *c;

    (void)state;
    pymodrt_mem_fail_nth(2);
    a = PyMem_Malloc(8);
    b = PyMem_Malloc(8);
    c = PyMem_Malloc(8);
    assert_non_null(a);
    assert_null(b);                        /* exactly the second one */
    assert_non_null(c);
    assert_int_equal(pymodrt_mem_failures_injected(), injected + 1);
    PyMem_Free(a);
    PyMem_Free(c);
    pymodrt_mem_fail_nth(1);
    pymodrt_mem_fail_nth(0);               /* disarmed before it fired */
    a = PyMem_Malloc(8);
    assert_non_null(a);
    PyMem_Free(a);
}

static void
test_fail_rate(void **state)
{
    int failed = 0;

    (void)state;
    pymodrt_mem_fail_rate(0.25, 42);
    for (int i = 0; i < 4000; i++) {
        void *p = PyMem_Malloc(16);
        if (p == NULL)
            failed++;
        PyMem_Free(p);
    }
    pymodrt_mem_fail_rate(0.0, 0);
    /* 1000 expected; the bound is six standard deviations wide */
    assert_in_range(failed, 820, 1180);
    void *p = PyMem_Malloc(16);
    assert_non_null(p);
    PyMem_Free(p);
}

/* Blocks allocated in one thread and freed in another still balance. */
struct xfer {
    void *blocks[256];
};

static void *
alloc_thread(void *arg)
{
    struct xfer *x = arg;

    for (int i = 0; i < 256; i++)
        x->blocks[i] = PyMem_Malloc((size_t)(16 + i));
    return NULL;
}

static void
test_cross_thread_free(void **state)
{
    struct xfer x;
    pthread_t t;
    int64_t before = tu_mem_settled();

    (void)state;
    assert_int_equal(pthread_create(&t, NULL, alloc_thread, &x), 0);
    pthread_join(t, NULL);
    assert_true(pymodrt_mem_allocated() > before);
    for (int i = 0; i < 256; i++)
        PyMem_Free(x.blocks[i]);
    assert_int_equal(tu_mem_settled(), before);
}

static void
test_allocator_kind(void **state)
{
    (void)state;
    assert_int_equal(pymodrt_mem_uses_jemalloc(), PYMODRT_TEST_EXPECT_JEMALLOC);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_overflowing_sizes),
        cmocka_unit_test(test_fail_nth),
        cmocka_unit_test(test_fail_rate),
        cmocka_unit_test(test_cross_thread_free),
        cmocka_unit_test(test_allocator_kind),
    };
    return cmocka_run_group_tests_name("memory", tests, tu_runtime_up, tu_runtime_down);
}

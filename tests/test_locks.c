/* test_locks: PyMutex and critical sections (issue 3).
 * ctest-labels: unit tsan */
#include "testutil.h"

#include <pthread.h>

#define THREADS 4
#define ROUNDS 20000

static PyMutex mutex;
static long counter;                 /* guarded by 'mutex' */
static long count_a;                 /* guarded by obj_a's critical section */
static long count_b;                 /* guarded by obj_b's critical section */
static PyObject *obj_a, *obj_b;

static void *
mutex_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        PyMutex_Lock(&mutex);
        counter++;
        PyMutex_Unlock(&mutex);
    }
    return NULL;
}

static void
run_threads(void *(*fn)(void *), int n)
{
    pthread_t t[8];
    long ids[8];

    for (int i = 0; i < n; i++) {
        ids[i] = i;
        assert_int_equal(pthread_create(&t[i], NULL, fn, &ids[i]), 0);
    }
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    Py_END_ALLOW_THREADS
}

static void
test_mutex(void **state)
{
    PyMutex m = {0};

    (void)state;
    assert_false(PyMutex_IsLocked(&m));
    PyMutex_Lock(&m);
    assert_true(PyMutex_IsLocked(&m));
    PyMutex_Unlock(&m);
    assert_false(PyMutex_IsLocked(&m));
    counter = 0;
    run_threads(mutex_worker, THREADS);   /* threads without a thread state */
    assert_int_equal(counter, THREADS * ROUNDS);
}

/* Odd threads nest obj_b's section inside obj_a's, even ones the other
 * way round: naive per-object locking would deadlock.  Only the innermost
 * section is guaranteed to hold its lock (an outer one may be suspended
 * while an inner one waits), so each counter is touched only under the
 * section that guards it; a two-object section holds both. */
static void *
cs_worker(void *arg)
{
    long id = *(long *)arg;
    PyGILState_STATE g = PyGILState_Ensure();

    for (int i = 0; i < ROUNDS / 4; i++) {
        PyObject *outer = id % 2 ? obj_a : obj_b, *inner = id % 2 ? obj_b : obj_a;
        Py_BEGIN_CRITICAL_SECTION(outer);
        Py_BEGIN_CRITICAL_SECTION(inner);
        if (inner == obj_a)
            count_a++;
        else
            count_b++;
        Py_END_CRITICAL_SECTION();
        Py_END_CRITICAL_SECTION();
        Py_BEGIN_CRITICAL_SECTION2(inner, outer);
        count_a++;
        count_b++;
        Py_END_CRITICAL_SECTION2();
    }
    PyGILState_Release(g);
    return NULL;
}

static void
test_nested_sections_do_not_deadlock(void **state)
{
    (void)state;
    count_a = count_b = 0;
    run_threads(cs_worker, THREADS);
    /* even threads (half) bump count_a inside, odd ones count_b; all bump both in CS2 */
    assert_int_equal(count_a, (THREADS / 2) * (ROUNDS / 4) + THREADS * (ROUNDS / 4));
    assert_int_equal(count_b, (THREADS / 2) * (ROUNDS / 4) + THREADS * (ROUNDS / 4));
}

static void
test_reentry(void **state)
{
    (void)state;
    /* the same object, and the same object twice in a CS2 */
    Py_BEGIN_CRITICAL_SECTION(obj_a);
    Py_BEGIN_CRITICAL_SECTION(obj_a);
    Py_BEGIN_CRITICAL_SECTION2(obj_a, obj_a);
    count_a++;
    Py_END_CRITICAL_SECTION2();
    Py_END_CRITICAL_SECTION();
    Py_END_CRITICAL_SECTION();
    PyMutex m = {0};
    Py_BEGIN_CRITICAL_SECTION_MUTEX(&m);
    assert_true(PyMutex_IsLocked(&m));
    Py_BEGIN_CRITICAL_SECTION2_MUTEX(&m, &mutex);
    assert_true(PyMutex_IsLocked(&mutex));
    Py_END_CRITICAL_SECTION2();
    assert_true(PyMutex_IsLocked(&m));
    assert_false(PyMutex_IsLocked(&mutex));
    Py_END_CRITICAL_SECTION();
    assert_false(PyMutex_IsLocked(&m));
}

/* Releasing the runtime inside a critical section releases its lock. */
static PyMutex side_mutex;
static int side_entered;

static void *
side_worker(void *arg)
{
    PyGILState_STATE g = PyGILState_Ensure();

    (void)arg;
    Py_BEGIN_CRITICAL_SECTION_MUTEX(&side_mutex);
    __atomic_store_n(&side_entered, 1, __ATOMIC_RELEASE);
    Py_END_CRITICAL_SECTION();
    PyGILState_Release(g);
    return NULL;
}

static void
test_allow_threads_suspends(void **state)
{
    pthread_t t;

    (void)state;
    side_entered = 0;
    Py_BEGIN_CRITICAL_SECTION_MUTEX(&side_mutex);
    assert_int_equal(pthread_create(&t, NULL, side_worker, NULL), 0);
    Py_BEGIN_ALLOW_THREADS
    /* the section is suspended: the other thread can take the lock */
    while (!__atomic_load_n(&side_entered, __ATOMIC_ACQUIRE))
        ;
    pthread_join(t, NULL);
    Py_END_ALLOW_THREADS
    assert_true(PyMutex_IsLocked(&side_mutex));   /* resumed on attach */
    Py_END_CRITICAL_SECTION();
    assert_false(PyMutex_IsLocked(&side_mutex));
}

static int
setup(void **state)
{
    if (tu_runtime_up(state) != 0)
        return -1;
    obj_a = PyList_New(0);
    obj_b = PyList_New(0);
    return 0;
}

static int
teardown(void **state)
{
    Py_DECREF(obj_a);
    Py_DECREF(obj_b);
    return tu_runtime_down(state);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutex),
        cmocka_unit_test(test_nested_sections_do_not_deadlock),
        cmocka_unit_test(test_reentry),
        cmocka_unit_test(test_allow_threads_suspends),
    };
    return cmocka_run_group_tests_name("locks", tests, setup, teardown);
}

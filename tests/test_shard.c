/* test_shard: sharded reference counts (core/shard.c, issue 7).
 * ctest-labels: unit tsan
 *
 * A published module, its functions and its heap types count references
 * per thread state.  These tests prove the two halves of the contract: a
 * registry hit (and the lookups and instantiations that follow it) writes
 * nothing to those objects' refcount words, and the per-thread counts add
 * up exactly - across threads that hand references to each other, threads
 * that exit, allocation failures, folds and interpreters - so every module
 * instance is freed once and nothing leaks (tu_runtime_down checks the
 * allocated bytes). */
#include "testutil.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>

static int
setup(void **state)
{
    setenv("PYMODRT_PATH", PYMODRT_TEST_MODULE_DIR, 1);
    return tu_runtime_up(state);
}

static int64_t
word_of(PyObject *op)
{
    return __atomic_load_n(&op->ob_refcnt_full, __ATOMIC_RELAXED);
}

static int
is_sharded(PyObject *op)
{
    return (word_of(op) & _Py_SHARDED_WORD_BIT) != 0;
}

/* Removes 'shardmod' from sys.modules and collects until nothing more is
 * freed.  Returns how many modules were freed. */
static Py_ssize_t
drop_and_collect(void)
{
    Py_ssize_t total = 0, n;

    if (PyDict_DelItemString(PyImport_GetModuleDict(), "shardmod") < 0)
        PyErr_Clear();
    while ((n = pymodrt_collect_modules()) > 0)
        total += n;
    return total;
}

/* shardmod's process-wide counters, read through a C symbol of the
 * library: a function of the module would keep its instance alive. */
static void *loaded_symbol(const char *file, const char *name);

static long
counter(int which)
{
    static long (*fn)(int);

    if (fn == NULL)
        *(void **)&fn = loaded_symbol("shardmod.so", "shardmod_counter");
    return fn(which);
}
#define EXECS() counter(0)
#define FREES() counter(1)

/* Imports shardmod (so its library is loaded) and returns the module. */
static PyObject *
import_shardmod(void)
{
    PyObject *m = PyImport_ImportModule("shardmod");

    if (m == NULL)
        tu_assert_no_exc();
    assert_non_null(m);
    return m;
}

/* ----------------------------------------------------------------- tests */

static void
test_import_shards_module_functions_and_types(void **state)
{
    (void)state;
    PyObject *m = import_shardmod();
    long before = FREES();
    PyObject *fn = PyObject_GetAttrString(m, "execs");
    PyObject *thing = PyObject_GetAttrString(m, "Thing");
    PyObject *inst = PyObject_CallNoArgs(thing);

    assert_non_null(inst);
    assert_true(is_sharded(m));
    assert_true(is_sharded(fn));
    assert_true(is_sharded(thing));
    assert_false(is_sharded(inst));         /* instances count as usual */
    assert_false(_Py_IsImmortal(m));
    assert_true(Py_REFCNT(m) >= 1);         /* approximate, never below 1 */
    Py_DECREF(inst);
    Py_DECREF(thing);
    Py_DECREF(fn);
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
    assert_int_equal(FREES(), before + 1);
}

/* Hits from two threads: the words of the module, a function and the type
 * are bit-for-bit what they were, however many references came and went. */
struct hammer {
    pthread_barrier_t *start;
    int iterations;
    int failures;
};

static void *
hammer_job(void *arg)
{
    struct hammer *h = arg;
    PyThreadState *ts = PyThreadState_New(PyInterpreterState_Main());
    PyObject *name;

    PyThreadState_Swap(ts);
    name = PyUnicode_FromString("shardmod");
    Py_BEGIN_ALLOW_THREADS
    pthread_barrier_wait(h->start);
    Py_END_ALLOW_THREADS
    for (int i = 0; i < h->iterations; i++) {
        PyObject *m = PyImport_ImportModule("shardmod");
        PyObject *again = PyImport_GetModule(name);
        PyObject *fn = m ? PyObject_GetAttrString(m, "execs") : NULL;
        PyObject *inst = m ? PyObject_CallMethod(m, "new_thing", NULL) : NULL;
        if (m == NULL || again != m || fn == NULL || inst == NULL)
            h->failures++;
        Py_XDECREF(inst);
        Py_XDECREF(fn);
        Py_XDECREF(again);
        Py_XDECREF(m);
    }
    Py_DECREF(name);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void
run_hammers(int n, int iterations)
{
    pthread_t t[4];
    struct hammer h[4];
    pthread_barrier_t start;

    assert_true(n <= 4);
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        h[i] = (struct hammer){&start, iterations, 0};
        assert_int_equal(pthread_create(&t[i], NULL, hammer_job, &h[i]), 0);
    }
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    Py_END_ALLOW_THREADS
    pthread_barrier_destroy(&start);
    for (int i = 0; i < n; i++)
        assert_int_equal(h[i].failures, 0);
}

static void
test_hits_never_write_the_shared_words(void **state)
{
    (void)state;
    PyObject *m = import_shardmod();
    PyObject *fn = PyObject_GetAttrString(m, "execs");
    PyObject *thing = PyObject_GetAttrString(m, "Thing");
    long before = FREES();
    int64_t wm = word_of(m), wf = word_of(fn), wt = word_of(thing);

    run_hammers(2, 2000);
    assert_true(word_of(m) == wm);
    assert_true(word_of(fn) == wf);
    assert_true(word_of(thing) == wt);
    /* The hammers' thread states are gone: their shares were merged into
     * the words' bases, and they sum to zero. */
    Py_DECREF(fn);
    Py_DECREF(thing);
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
    assert_int_equal(FREES(), before + 1);
}

/* References taken on one thread and dropped on another, with either
 * thread state deleted first: the shares merge to the exact count. */
struct handoff {
    PyObject *m;
    PyObject **refs;
    int n;
    int take;                   /* 1: take n references; 0: drop them */
};

static void *
handoff_job(void *arg)
{
    struct handoff *h = arg;
    PyThreadState *ts = PyThreadState_New(PyInterpreterState_Main());

    PyThreadState_Swap(ts);
    for (int i = 0; i < h->n; i++) {
        if (h->take)
            h->refs[i] = Py_NewRef(h->m);
        else
            Py_DECREF(h->refs[i]);
    }
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void
run_on_thread(struct handoff *h)
{
    pthread_t t;

    assert_int_equal(pthread_create(&t, NULL, handoff_job, h), 0);
    Py_BEGIN_ALLOW_THREADS
    pthread_join(t, NULL);
    Py_END_ALLOW_THREADS
}

static void
handoff_case(int drop_on_main)
{
    enum { N = 1000 };
    PyObject *refs[N];
    PyObject *m = import_shardmod();
    long before = FREES();
    struct handoff take = {m, refs, N, 1}, drop = {m, refs, N, 0};

    run_on_thread(&take);                 /* +N merged when it exits */
    if (drop_on_main) {
        for (int i = 0; i < N; i++)       /* -N in this thread's share */
            Py_DECREF(refs[i]);
    } else {
        run_on_thread(&drop);             /* -N merged when it exits */
    }
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
    assert_int_equal(FREES(), before + 1);
}

static void
test_references_handed_between_threads(void **state)
{
    (void)state;
    handoff_case(0);
    handoff_case(1);
}

/* A fold gives the exact count: ours plus the module's internal ones (one
 * per function whose __self__ it is, one from its heap type). */
static void
test_fold_restores_the_exact_count(void **state)
{
    (void)state;
    PyObject *m = import_shardmod();
    PyObject *extra[5];
    long before = FREES();

    for (int i = 0; i < 5; i++)
        extra[i] = Py_NewRef(m);
    assert_true(is_sharded(m));
    assert_int_equal(drop_and_collect(), 0);   /* we still hold it */
    assert_false(is_sharded(m));               /* but it was folded */
    /* 6 ours + 2 functions' __self__ + Thing's module */
    assert_int_equal(Py_REFCNT(m), 6 + 2 + 1);
    for (int i = 0; i < 5; i++)
        Py_DECREF(extra[i]);
    assert_int_equal(Py_REFCNT(m), 1 + 2 + 1);
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
    assert_int_equal(FREES(), before + 1);
}

/* A thread state whose share array cannot be allocated counts on the word
 * itself (R1 of core/shard.c): still exact. */
static void *
failing_grow_job(void *arg)
{
    PyObject *m = arg;
    PyThreadState *ts = PyThreadState_New(PyInterpreterState_Main());
    int64_t w;

    PyThreadState_Swap(ts);
    w = word_of(m);
    pymodrt_mem_fail_nth(1);                 /* the share array's allocation */
    Py_INCREF(m);
    pymodrt_mem_fail_nth(0);
    assert_true(word_of(m) == w + 1);         /* counted on the word */
    Py_DECREF(m);                             /* now in this thread's share */
    Py_INCREF(m);
    Py_DECREF(m);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void
test_share_allocation_failure_falls_back_to_the_word(void **state)
{
    (void)state;
    PyObject *m = import_shardmod();
    long before = FREES();
    int64_t w = word_of(m);
    pthread_t t;

    assert_int_equal(pthread_create(&t, NULL, failing_grow_job, m), 0);
    Py_BEGIN_ALLOW_THREADS
    pthread_join(t, NULL);
    Py_END_ALLOW_THREADS
    /* The +1 stayed on the word; the -1 went into the thread's share and,
     * when its thread state was deleted, into the id's merged sum. */
    assert_true(word_of(m) == w + 1);
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
    assert_int_equal(FREES(), before + 1);
}

/* Each interpreter shards its own instance; ending one folds and frees it. */
static void
test_interpreter_end_folds_its_objects(void **state)
{
    (void)state;
    PyThreadState *main_ts = PyThreadState_Get(), *sub = NULL;
    PyInterpreterConfig cfg = {.gil = PyInterpreterConfig_OWN_GIL,
                               .check_multi_interp_extensions = 1};
    PyObject *m = import_shardmod();
    long before = FREES();

    assert_false(PyStatus_Exception(Py_NewInterpreterFromConfig(&sub, &cfg)));
    PyObject *sm = PyImport_ImportModule("shardmod");
    assert_non_null(sm);
    assert_true(sm != m);
    assert_true(is_sharded(sm));
    PyObject *sthing = PyObject_GetAttrString(sm, "Thing");
    assert_true(is_sharded(sthing));
    Py_DECREF(sthing);
    Py_DECREF(sm);
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    assert_int_equal(FREES(), before + 1);
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
    assert_int_equal(FREES(), before + 2);
}

/* A symbol of a test library that is already loaded. */
static void *
loaded_symbol(const char *file, const char *name)
{
    char path[4096];
    void *h, *sym;

    snprintf(path, sizeof path, "%s/%s", PYMODRT_TEST_MODULE_DIR, file);
    h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(h);
    sym = dlsym(h, name);
    dlclose(h);
    assert_non_null(sym);
    return sym;
}

/* Several suspects folded in one collection, each with functions whose
 * only reference left is the shard's: every module is freed (the fold
 * keeps those last references for after the world restarts, without an
 * allocation that could fall short). */
static void
test_one_collection_folds_many_modules(void **state)
{
    (void)state;
    static const char *names[3] = {"sm1", "sm2", "sm3"};
    char path[4096];
    long (*sm_frees)(void), before;

    snprintf(path, sizeof path, "%s/shardmany.so", PYMODRT_TEST_MODULE_DIR);
    for (int i = 0; i < 3; i++) {
        PyObject *m = pymodrt_import_file(names[i], path);
        assert_non_null(m);
        PyObject *d = PyModule_GetDict(m);
        assert_true(is_sharded(m));
        assert_true(is_sharded(PyDict_GetItemString(d, "a")));
        assert_int_equal(PyDict_DelItemString(d, "a"), 0);
        assert_int_equal(PyDict_DelItemString(d, "b"), 0);
        assert_int_equal(PyDict_DelItemString(PyImport_GetModuleDict(), names[i]), 0);
        Py_DECREF(m);
    }
    *(void **)&sm_frees = loaded_symbol("shardmany.so", "shardmany_frees");
    before = sm_frees();
    while (pymodrt_collect_modules() > 0)
        ;
    assert_int_equal(sm_frees() - before, 3);
}

/* An import made while its interpreter ends (from an m_free) is not
 * sharded, so its module is still freed with the interpreter. */
static void
test_import_during_interpreter_end_is_freed(void **state)
{
    (void)state;
    PyThreadState *main_ts = PyThreadState_Get(), *sub = NULL;
    PyInterpreterConfig cfg = {.gil = PyInterpreterConfig_OWN_GIL,
                               .check_multi_interp_extensions = 1};
    char path[4096];
    PyObject *m = import_shardmod();
    long e0, f0;

    snprintf(path, sizeof path, "%s/shardmany.so", PYMODRT_TEST_MODULE_DIR);
    assert_false(PyStatus_Exception(Py_NewInterpreterFromConfig(&sub, &cfg)));
    PyObject *fin = pymodrt_import_file("finimp", path);
    assert_non_null(fin);
    Py_DECREF(fin);
    e0 = EXECS();
    f0 = FREES();
    Py_EndInterpreter(sub);
    PyThreadState_Swap(main_ts);
    assert_int_equal(EXECS() - e0, 1);      /* finimp's m_free imported it */
    assert_int_equal(FREES() - f0, 1);      /* and it went with the interpreter */
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
}

/* A thread of another GIL group that touches the object (which isolation
 * forbids) counts on the word, never in a share (R1, R3). */
struct foreign {
    PyObject *m;
    int64_t after_incref;
};

static void *
foreign_job(void *arg)
{
    struct foreign *f = arg;
    PyThreadState *sub = NULL;
    PyInterpreterConfig cfg = {.gil = PyInterpreterConfig_OWN_GIL,
                               .check_multi_interp_extensions = 1};

    assert_false(PyStatus_Exception(Py_NewInterpreterFromConfig(&sub, &cfg)));
    Py_INCREF(f->m);
    f->after_incref = word_of(f->m);
    Py_DECREF(f->m);
    Py_EndInterpreter(sub);
    return NULL;
}

static void
test_other_gil_group_counts_on_the_word(void **state)
{
    (void)state;
    PyObject *m = import_shardmod();
    long before = FREES();
    struct foreign f = {m, 0};
    int64_t w = word_of(m);
    pthread_t t;

    assert_int_equal(pthread_create(&t, NULL, foreign_job, &f), 0);
    Py_BEGIN_ALLOW_THREADS
    pthread_join(t, NULL);
    Py_END_ALLOW_THREADS
    assert_true(f.after_incref == w + 1);
    assert_true(word_of(m) == w);
    Py_DECREF(m);
    assert_int_equal(drop_and_collect(), 1);
    assert_int_equal(FREES(), before + 1);
}

/* Folds while other threads hit, look up and instantiate: every instance
 * that was executed is freed exactly once, and none while in use. */
struct churn {
    pthread_barrier_t *start;
    atomic_int *stop;
    int failures;
};

static void *
churn_job(void *arg)
{
    struct churn *c = arg;
    PyThreadState *ts = PyThreadState_New(PyInterpreterState_Main());

    PyThreadState_Swap(ts);
    Py_BEGIN_ALLOW_THREADS
    pthread_barrier_wait(c->start);
    Py_END_ALLOW_THREADS
    while (!atomic_load(c->stop)) {
        PyObject *m = PyImport_ImportModule("shardmod");
        PyObject *inst = m ? PyObject_CallMethod(m, "new_thing", NULL) : NULL;
        PyObject *n = m ? PyObject_CallMethod(m, "execs", NULL) : NULL;
        if (m == NULL || inst == NULL || n == NULL)
            c->failures++;
        Py_XDECREF(n);
        Py_XDECREF(inst);
        Py_XDECREF(m);
    }
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void
test_folds_under_concurrent_hits(void **state)
{
    (void)state;
    enum { WORKERS = 2, ROUNDS = 40 };
    pthread_t t[WORKERS];
    struct churn c[WORKERS];
    pthread_barrier_t start;
    atomic_int stop = 0;
    PyObject *m = import_shardmod();
    long f0 = FREES(), e0 = EXECS() - 1;   /* - 1: the instance just made */

    Py_DECREF(m);
    pthread_barrier_init(&start, NULL, WORKERS + 1);
    for (int i = 0; i < WORKERS; i++) {
        c[i] = (struct churn){&start, &stop, 0};
        assert_int_equal(pthread_create(&t[i], NULL, churn_job, &c[i]), 0);
    }
    Py_BEGIN_ALLOW_THREADS
    pthread_barrier_wait(&start);
    Py_END_ALLOW_THREADS
    for (int r = 0; r < ROUNDS; r++) {
        if (PyDict_DelItemString(PyImport_GetModuleDict(), "shardmod") < 0)
            PyErr_Clear();
        pymodrt_collect_modules();
        PyObject *again = PyImport_ImportModule("shardmod");
        assert_non_null(again);
        Py_DECREF(again);
    }
    atomic_store(&stop, 1);
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    Py_END_ALLOW_THREADS
    pthread_barrier_destroy(&start);
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(c[i].failures, 0);
    drop_and_collect();
    /* Every instance executed since the start has been freed. */
    assert_int_equal(FREES() - f0, EXECS() - e0);
    assert_true(EXECS() - e0 >= ROUNDS);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_shards_module_functions_and_types),
        cmocka_unit_test(test_hits_never_write_the_shared_words),
        cmocka_unit_test(test_references_handed_between_threads),
        cmocka_unit_test(test_fold_restores_the_exact_count),
        cmocka_unit_test(test_share_allocation_failure_falls_back_to_the_word),
        cmocka_unit_test(test_interpreter_end_folds_its_objects),
        cmocka_unit_test(test_one_collection_folds_many_modules),
        cmocka_unit_test(test_import_during_interpreter_end_is_freed),
        cmocka_unit_test(test_other_gil_group_counts_on_the_word),
        cmocka_unit_test(test_folds_under_concurrent_hits),
    };
    return cmocka_run_group_tests(tests, setup, tu_runtime_down);
}

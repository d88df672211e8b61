/* report.c: latency histograms, the per-campaign lines, the final table and
 * the JSON report.  Everything here runs on the main thread after the
 * workers of a campaign have been joined. */
#include "stress.h"

/* ---------------------------------------------------------------- histograms */

static int
bucket_of(uint64_t ns)
{
    int msb;

    if (ns < ST_HIST_SUB)
        return (int)ns;
    msb = 63 - __builtin_clzll(ns);
    /* 8 sub-buckets below each power of two from 2^3 up */
    return (msb - 2) * ST_HIST_SUB + (int)((ns >> (msb - 3)) & (ST_HIST_SUB - 1));
}

static uint64_t
bucket_upper(int b)
{
    int msb, sub;

    if (b < ST_HIST_SUB)
        return (uint64_t)b;
    msb = b / ST_HIST_SUB + 2;
    sub = b % ST_HIST_SUB;
    return ((uint64_t)(ST_HIST_SUB + sub + 1) << (msb - 3)) - 1;
}

void
st_rep_hist_add(struct st_hist *h, uint64_t ns)
{
    int b = bucket_of(ns);

    h->n++;
    if (ns > h->max_ns)
        h->max_ns = ns;
    h->b[b < ST_HIST_BUCKETS ? b : ST_HIST_BUCKETS - 1]++;
}

void
st_rep_hist_merge(struct st_hist *dst, const struct st_hist *src)
{
    dst->n += src->n;
    if (src->max_ns > dst->max_ns)
        dst->max_ns = src->max_ns;
    for (int i = 0; i < ST_HIST_BUCKETS; i++)
        dst->b[i] += src->b[i];
}

uint64_t
st_rep_hist_pct(const struct st_hist *h, double pct)
{
    uint64_t want, seen = 0;

    if (h->n == 0)
        return 0;
    want = (uint64_t)((double)h->n * pct / 100.0);
    if (want >= h->n)
        want = h->n - 1;
    for (int i = 0; i < ST_HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen > want) {
            uint64_t u = bucket_upper(i);
            return u < h->max_ns ? u : h->max_ns;
        }
    }
    return h->max_ns;
}

/* ---------------------------------------------------------------- text */

static const char *
dur(uint64_t ns, char *buf, size_t n)
{
    if (ns < 10000)
        snprintf(buf, n, "%llu ns", (unsigned long long)ns);
    else if (ns < 10000000)
        snprintf(buf, n, "%.1f us", (double)ns / 1e3);
    else
        snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
    return buf;
}

static const char *
count(uint64_t v, char *buf, size_t n)
{
    if (v >= 10000000)
        snprintf(buf, n, "%.1fM", (double)v / 1e6);
    else if (v >= 100000)
        snprintf(buf, n, "%.0fk", (double)v / 1e3);
    else
        snprintf(buf, n, "%llu", (unsigned long long)v);
    return buf;
}

void
st_rep_campaign(FILE *f, const struct st_campaign *c)
{
    char b1[32], b2[32];

    fprintf(f, "campaign '%s': %s operations in %.1f s (%s/s), %llu rounds, %llu injected "
               "failures, GIL %s\n", c->name, count(c->ops, b1, sizeof b1), c->seconds,
            count((uint64_t)((double)c->ops / (c->seconds > 0 ? c->seconds : 1)), b2, sizeof b2),
            (unsigned long long)c->rounds, (unsigned long long)c->failures_injected,
            c->nswitch ? "switched on" : c->gil == 1 ? "on" : "never on");
}

static void
table(FILE *f)
{
    struct st_hist tot[ST_OP__COUNT];
    uint64_t ops = 0, injected = 0, rounds = 0, stw = 0, refusals = 0;
    double secs = 0;
    char a[32], b[32], c2[32], d[32];

    memset(tot, 0, sizeof tot);
    for (int i = 0; i < st_run.ncampaigns; i++) {
        const struct st_campaign *c = &st_run.campaigns[i];
        for (int op = 0; op < ST_OP__COUNT; op++)
            st_rep_hist_merge(&tot[op], &c->hist[op]);
        ops += c->ops;
        injected += c->failures_injected;
        rounds += c->rounds;
        secs += c->seconds;
        stw += c->stop_the_world;
        refusals += c->refusals;
    }
    fprintf(f, "\n%-12s %10s %10s %10s %10s\n", "operation", "count", "p50", "p99", "max");
    for (int op = 0; op < ST_OP__COUNT; op++) {
        if (tot[op].n == 0)
            continue;
        fprintf(f, "%-12s %10s %10s %10s %10s\n", st_op_names[op], count(tot[op].n, a, sizeof a),
                dur(st_rep_hist_pct(&tot[op], 50), b, sizeof b),
                dur(st_rep_hist_pct(&tot[op], 99), c2, sizeof c2), dur(tot[op].max_ns, d, sizeof d));
    }
    fprintf(f, "%-12s %10s  in %.1f s, %llu rounds, %d threads, %d sub-interpreters\n", "total",
            count(ops, a, sizeof a), secs, (unsigned long long)rounds, st_run.threads,
            st_run.interps);
    fprintf(f, "\ninjected failures: %llu (all surfaced as MemoryError or the injected "
               "RuntimeError, or as a violation below)\n", (unsigned long long)injected);
    if (refusals)
        fprintf(f, "sub-interpreter refusals: %llu (modules that declare no support)\n",
                (unsigned long long)refusals);
    fprintf(f, "GIL switches:");
    int any = 0;
    for (int i = 0; i < st_run.ncampaigns; i++) {
        const struct st_campaign *c = &st_run.campaigns[i];
        for (int k = 0; k < c->nswitch; k++) {
            int seen = 0, n = 0;
            for (int j = 0; j < k; j++)
                seen |= strcmp(c->switches[j].module, c->switches[k].module) == 0;
            if (seen)
                continue;
            for (int j = k; j < c->nswitch; j++)
                n += strcmp(c->switches[j].module, c->switches[k].module) == 0;
            fprintf(f, "%s %s switched %d GIL%s on in '%s'", any ? ";" : "", c->switches[k].module,
                    n, n == 1 ? "" : "s", c->name);
            any = 1;
        }
    }
    fprintf(f, "%s; stop-the-world events: %llu\n", any ? "" : " none", (unsigned long long)stw);
    fprintf(f, "memory: ");
    for (int i = 0; i < st_run.ncampaigns; i++) {
        const struct st_campaign *c = &st_run.campaigns[i];
        fprintf(f, "%s%+lld", i ? ", " : "", (long long)(c->mem_after - c->mem_before));
    }
    fprintf(f, " bytes after finalization (per campaign)\n");
}

static void
scaling(FILE *f)
{
    if (st_run.nscaling == 0)
        return;
    fprintf(f, "\nscaling, 1 thread vs %d threads (same work per thread; as Tools/ftscalingbench):\n",
            st_run.threads);
    for (int i = 0; i < st_run.nscaling; i++) {
        const struct st_scaling *s = &st_run.scaling[i];
        double factor = s->speedup >= 1 ? s->speedup : (s->speedup > 0 ? 1 / s->speedup : 0);
        fprintf(f, "%-25s %4.1fx %s\n", s->op, factor, s->speedup >= 1 ? "faster" : "slower");
    }
}

static void
verdicts(FILE *f)
{
    int header = 0;

    for (int i = 0; i < st_run.nmods; i++) {
        const struct st_module *m = &st_run.mods[i];
        char ft[200], sub[240], iso[200];
        if (!m->user)
            continue;
        if (!header) {
            fprintf(f, "\nreadiness:\n");
            header = 1;
        }
        if (m->gil_switched)
            snprintf(ft, sizeof ft, "no: it switches the GIL on (does not declare Py_MOD_GIL_NOT_USED)");
        else if (strstr(m->violated, "failure") || strstr(m->violated, "same-object") ||
                 strstr(m->violated, "data-race"))
            snprintf(ft, sizeof ft, "no: %s violated", m->violated);
        else if (!m->gil_known)
            snprintf(ft, sizeof ft, "not determined (run with --gil auto)");
        else
            snprintf(ft, sizeof ft, "yes (declares Py_MOD_GIL_NOT_USED; data races are found by "
                                    "the thread-sanitizer build)");
        if (!m->sub_tried[0] && !m->sub_tried[1])
            snprintf(sub, sizeof sub, "not tested (--interpreters 0)");
        else if (m->sub_ok[1])
            snprintf(sub, sizeof sub, "yes, with a per-interpreter GIL");
        else if (m->sub_ok[0])
            snprintf(sub, sizeof sub, "yes, sharing the main GIL only");
        else
            snprintf(sub, sizeof sub, "no (%.200s)", m->sub_refusal);
        if (strstr(m->violated, "isolation") || strstr(m->violated, "exec-"))
            snprintf(iso, sizeof iso, "broken: %s", m->violated);
        else if (m->sub_ok[0] || m->sub_ok[1])
            snprintf(iso, sizeof iso, "held (across interpreters and re-imports)");
        else
            snprintf(iso, sizeof iso, "held (across re-imports)");
        fprintf(f, "  %s%s%s\n", m->name, m->path[0] ? "  " : "", m->path);
        fprintf(f, "    without the GIL:   %s\n", ft);
        fprintf(f, "    sub-interpreters:  %s\n", sub);
        fprintf(f, "    isolation:         %s\n", iso);
    }
}

void
st_rep_final(FILE *f)
{
    unsigned long n = st_chk_count();

    st_dog_progress_clear();
    fprintf(f, "\n== pymodrt-stress report (seed %llu) ==\n", (unsigned long long)st_run.seed);
    table(f);
    scaling(f);
    verdicts(f);
    fprintf(f, "\nviolations: %lu\n", n);
    if (n > 0) {
        st_chk_print(f);
        fprintf(f, "\nFAILED: invariants violated (reproduce the operation streams with --seed %llu)\n",
                (unsigned long long)st_run.seed);
    } else {
        fprintf(f, "\nOK: all invariants held\n");
    }
}

/* ---------------------------------------------------------------- JSON */

int
st_rep_json(const char *path, int exit_code)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

    if (f == NULL) {
        fprintf(stderr, "pymodrt-stress: cannot write %s\n", path);
        return -1;
    }
    fprintf(f, "{\n  \"tool\": \"pymodrt-stress\", \"version\": \"%s\", \"seed\": %llu,\n",
            PYMODRT_VERSION, (unsigned long long)st_run.seed);
    fprintf(f, "  \"threads\": %d, \"interpreters\": %d, \"exit_code\": %d,\n", st_run.threads,
            st_run.interps, exit_code);
    fprintf(f, "  \"campaigns\": [");
    for (int i = 0; i < st_run.ncampaigns; i++) {
        const struct st_campaign *c = &st_run.campaigns[i];
        fprintf(f, "%s\n    {\"name\": \"%s\", \"gil\": \"%s\", \"own_gil\": %s, \"fault_rate\": %g,"
                   " \"seconds\": %.3f, \"rounds\": %llu, \"operations\": %llu,"
                   " \"injected_failures\": %llu, \"stop_the_world\": %llu,"
                   " \"memory_before\": %lld, \"memory_after\": %lld,\n",
                i ? "," : "", c->name, c->gil < 0 ? "auto" : c->gil ? "on" : "off",
                c->own_gil ? "true" : "false", c->fault_rate, c->seconds,
                (unsigned long long)c->rounds, (unsigned long long)c->ops,
                (unsigned long long)c->failures_injected, (unsigned long long)c->stop_the_world,
                (long long)c->mem_before, (long long)c->mem_after);
        fprintf(f, "     \"imports\": {\"imports\": %llu, \"hits\": %llu, \"misses\": %llu, "
                   "\"lock_waits\": %llu, \"initializations\": %llu, \"execs\": %llu, "
                   "\"deadlocks\": %llu},\n",
                (unsigned long long)c->imports.imports, (unsigned long long)c->imports.hits,
                (unsigned long long)c->imports.misses, (unsigned long long)c->imports.lock_waits,
                (unsigned long long)c->imports.initializations,
                (unsigned long long)c->imports.execs, (unsigned long long)c->imports.deadlocks);
        fprintf(f, "     \"gil_switches\": [");
        for (int k = 0; k < c->nswitch; k++)
            fprintf(f, "%s{\"interpreter\": %lld, \"module\": \"%s\"}", k ? ", " : "",
                    (long long)c->switches[k].interpreter_id, c->switches[k].module);
        fprintf(f, "],\n     \"per_operation\": {");
        int first = 1;
        for (int op = 0; op < ST_OP__COUNT; op++) {
            if (c->hist[op].n == 0)
                continue;
            fprintf(f, "%s\"%s\": {\"count\": %llu, \"p50_ns\": %llu, \"p99_ns\": %llu, "
                       "\"max_ns\": %llu}", first ? "" : ", ", st_op_names[op],
                    (unsigned long long)c->hist[op].n,
                    (unsigned long long)st_rep_hist_pct(&c->hist[op], 50),
                    (unsigned long long)st_rep_hist_pct(&c->hist[op], 99),
                    (unsigned long long)c->hist[op].max_ns);
            first = 0;
        }
        fprintf(f, "}}");
    }
    fprintf(f, "\n  ],\n  \"scaling\": [");
    for (int i = 0; i < st_run.nscaling; i++)
        fprintf(f, "%s{\"operation\": \"%s\", \"speedup\": %.3f, \"ops_per_s_1\": %.0f, "
                   "\"ops_per_s_n\": %.0f}", i ? ", " : "", st_run.scaling[i].op,
                st_run.scaling[i].speedup, st_run.scaling[i].ops_per_s_1,
                st_run.scaling[i].ops_per_s_n);
    fprintf(f, "],\n  \"modules\": [");
    for (int i = 0; i < st_run.nmods; i++) {
        const struct st_module *m = &st_run.mods[i];
        fprintf(f, "%s\n    {\"name\": \"%s\", \"bundled\": %s, \"gil_switched\": %s, "
                   "\"subinterpreters_shared_gil\": %s, \"subinterpreters_own_gil\": %s, "
                   "\"violations\": %lu}",
                i ? "," : "", m->name, m->expect ? "true" : "false",
                m->gil_switched ? "true" : "false",
                !m->sub_tried[0] ? "null" : m->sub_ok[0] ? "true" : "false",
                !m->sub_tried[1] ? "null" : m->sub_ok[1] ? "true" : "false", m->violations);
    }
    fprintf(f, "\n  ],\n  \"violations\": ");
    st_chk_json(f);
    fprintf(f, "\n}\n");
    if (f != stdout)
        fclose(f);
    return 0;
}

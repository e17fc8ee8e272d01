/* peak.h: the machine's fp32 peak for bench/ (bench_kernels, bench_ppo).
 *
 *   peak = cores x lanes x 2 (a fused multiply-add is two operations)
 *          x FMA units x clock
 * lanes: 16 with AVX-512F, 8 with AVX2+FMA (the widest the CPU reports);
 * clock: measured, a chain of 200 dependent integer adds per loop trip
 *   (one cycle each on every x86-64 core) timed in this thread's CPU time
 *   (time descheduled by other work does not count), the fastest of 300
 *   runs of 2 ms, so it is the clock the core runs at under this load;
 * FMA units: per vector width, from the CPU family (AMD: Zen 3 (family
 *   0x19, no AVX-512): 2 x 256-bit; Zen 4 (0x19 with AVX-512): 2 x 256-bit,
 *   a 512-bit FMA takes both (1 unit at 16 lanes); Zen 5 (0x1A): 2 x 512-bit;
 *   sources: AMD's software optimisation guides for families 19h and 1Ah
 *   and A. J. Yee's Zen 4 / Zen 5 AVX-512 teardowns at numberworld.org);
 *   other CPUs: 2 (most Intel cores since Haswell).
 * The FMA rate is also measured (fma_probe: 12 independent accumulators)
 * as a check of the unit count: measured flops per cycle / (2 x lanes).
 */
#ifndef LUDUS_BENCH_PEAK_H
#define LUDUS_BENCH_PEAK_H

#include <stdio.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

__attribute__((unused)) static double peak_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* This thread's CPU seconds: time it was descheduled (the machine is
 * shared) does not count. */
static double peak_thread_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    char model[64];
    unsigned family;
    int lanes;        /* fp32 lanes of the widest FMA vector */
    int fma_units;    /* at that width */
    double clock_hz;  /* measured */
    double probe_fpc; /* measured fp32 flops per cycle per core at that width */
    int cores;
    double peak;      /* flops/s over `cores` cores */
    double core_peak; /* one core */
} peak_info;

#if defined(__x86_64__)
static double peak_clock_hz(void)
{
    double best = 0;
    for (int rep = 0; rep < 300; rep++) {
        unsigned long x = 0;
        const long trips = 40000;
        double t0 = peak_thread_s();
        for (long i = 0; i < trips; i++)
            __asm__ volatile(".rept 200\n\taddq $1, %0\n\t.endr" : "+r"(x));
        double hz = 200.0 * trips / (peak_thread_s() - t0);
        if (hz > best) best = hz;
    }
    return best;
}

__attribute__((target("avx512f,fma"))) static double fma_probe_512(long trips)
{
    __m512 a[12], m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps((float)i);
    double t0 = peak_thread_s();
    for (long t = 0; t < trips; t++)
        for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_ps(a[i], m, c);
    double dt = peak_thread_s() - t0;
    __m512 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, a[i]);
    volatile float sink = _mm512_reduce_add_ps(s);
    (void)sink;
    return 12.0 * 16 * 2 * trips / dt;
}

__attribute__((target("avx2,fma"))) static double fma_probe_256(long trips)
{
    __m256 a[12], m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps((float)i);
    double t0 = peak_thread_s();
    for (long t = 0; t < trips; t++)
        for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_ps(a[i], m, c);
    double dt = peak_thread_s() - t0;
    __m256 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, a[i]);
    float v[8];
    _mm256_storeu_ps(v, s);
    volatile float sink = v[0];
    (void)sink;
    return 12.0 * 8 * 2 * trips / dt;
}
#endif

/* Fills *pi for `cores` cores (the threads the measured work ran on). */
static void peak_measure(peak_info *pi, int cores)
{
    *pi = (peak_info){.cores = cores, .lanes = 4, .fma_units = 2};
    snprintf(pi->model, sizeof pi->model, "unknown");
#if defined(__x86_64__)
    unsigned r[12] = {0}, a, b, c, d;
    if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
        for (unsigned l = 0; l < 3; l++) __get_cpuid(0x80000002 + l, &r[4 * l], &r[4 * l + 1], &r[4 * l + 2], &r[4 * l + 3]);
        snprintf(pi->model, sizeof pi->model, "%.48s", (const char *)r);
    }
    if (__get_cpuid(1, &a, &b, &c, &d)) pi->family = ((a >> 8) & 0xf) + (((a >> 8) & 0xf) == 0xf ? (a >> 20) & 0xff : 0);
    int amd = __get_cpuid(0, &a, &b, &c, &d) && b == 0x68747541; /* "Auth" */
    int has512 = __builtin_cpu_supports("avx512f"), has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    pi->lanes = has512 ? 16 : has2 ? 8 : 4;
    pi->fma_units = 2;
    if (amd && has512 && pi->family == 0x19) pi->fma_units = 1; /* Zen 4: 512-bit ops take both 256-bit pipes */
    pi->clock_hz = peak_clock_hz();
    double fl = 0;
    for (int rep = 0; rep < 100; rep++) {
        double f = has512 ? fma_probe_512(100000) : has2 ? fma_probe_256(100000) : 0;
        if (f > fl) fl = f;
    }
    pi->probe_fpc = fl / pi->clock_hz;
#else
    pi->clock_hz = 0;
#endif
    pi->core_peak = (double)pi->lanes * 2 * pi->fma_units * pi->clock_hz;
    pi->peak = pi->core_peak * cores;
}

static void peak_print(const peak_info *pi)
{
    printf("# cpu: %s (family 0x%x), %ld online cpus; fp32 peak per core = %d lanes x 2 x %d FMA units x %.2f GHz "
           "(measured) = %.1f GFLOP/s; FMA probe: %.1f flops/cycle (%.2f units)\n",
           pi->model, pi->family, sysconf(_SC_NPROCESSORS_ONLN), pi->lanes, pi->fma_units, pi->clock_hz * 1e-9,
           pi->core_peak * 1e-9, pi->probe_fpc, pi->probe_fpc / (2.0 * pi->lanes));
}

#endif

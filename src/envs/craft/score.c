/* score.c: the Crafter score over a set of episodes, as the reference's
 * analysis computes it (success rates in percent, the geometric mean with
 * a 1% offset), summing the logarithms in numpy's pairwise order so the
 * figure matches the published tooling to the last bit.
 */
#include <math.h>

#include "craft.h"

const char *ludus_crafter_achievement_name(int i)
{
    return i >= 0 && i < CRAFT_NUM_ACH ? ludus_craft_ach_names[i] : NULL;
}

/* numpy's sum of n <= 128 doubles: eight running sums, then the rest. */
static double numpy_sum(const double *a, int n)
{
    if (n < 8) {
        double res = 0;
        for (int i = 0; i < n; i++) res += a[i];
        return res;
    }
    double r[8];
    for (int j = 0; j < 8; j++) r[j] = a[j];
    int i;
    for (i = 8; i < n - n % 8; i += 8)
        for (int j = 0; j < 8; j++) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[i];
    return res;
}

int ludus_crafter_score(const uint32_t *episode_masks, size_t num_episodes, double *score,
                        double *success_rates)
{
    if (!episode_masks || !score) return ludus_err_set(LUDUS_EINVAL, "ludus_crafter_score: NULL argument");
    if (num_episodes == 0) return ludus_err_set(LUDUS_EINVAL, "ludus_crafter_score: no episodes");
    uint64_t counts[CRAFT_NUM_ACH] = {0};
    for (size_t e = 0; e < num_episodes; e++) {
        uint32_t m = episode_masks[e];
        if (m >> CRAFT_NUM_ACH)
            return ludus_err_set(LUDUS_EINVAL, "ludus_crafter_score: episode %zu has bits beyond the %d achievements "
                           "(mask 0x%x)", e, CRAFT_NUM_ACH, m);
        for (int a = 0; a < CRAFT_NUM_ACH; a++) counts[a] += m >> a & 1u;
    }
    double logs[CRAFT_NUM_ACH];
    for (int a = 0; a < CRAFT_NUM_ACH; a++) {
        double rate = 100 * ((double)counts[a] / (double)num_episodes);
        if (success_rates) success_rates[a] = rate;
        logs[a] = log(1 + rate);
    }
    *score = exp(numpy_sum(logs, CRAFT_NUM_ACH) / CRAFT_NUM_ACH) - 1;
    return LUDUS_OK;
}

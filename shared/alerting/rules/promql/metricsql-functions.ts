// The functions VictoriaMetrics 1.79 (the query engine rules run on) knows, with the number of arguments it
// takes: `name:n` exactly n, `name:a-b` from a to b, `name:n+` at least n. Candidate names from the metricsql
// package's rollupFuncs, transformFuncs and aggrFuncs and VictoriaMetrics' MetricsQL docs (alias, ru, ttf,
// range_median); kept are those VictoriaMetrics 1.79.5 itself knows, with the counts it accepts (each asked
// with 0 to 7 arguments; test/differential/promql-conformance.test.ts asks it again for every entry).
// Matching is case-insensitive, as in MetricsQL.

export type FunctionKind = 'rollup' | 'transform' | 'aggregate';

export interface FunctionArity {
  readonly kind: FunctionKind;
  readonly min: number;
  /** Infinity for variadic functions. */
  readonly max: number;
}

const TABLE: Readonly<Record<FunctionKind, readonly string[]>> = {
  rollup: [
    'absent_over_time:1', 'aggr_over_time:2', 'ascent_over_time:1', 'avg_over_time:1', 'changes:1',
    'changes_prometheus:1', 'count_eq_over_time:2', 'count_gt_over_time:2', 'count_le_over_time:2',
    'count_ne_over_time:2', 'count_over_time:1', 'decreases_over_time:1', 'default_rollup:1', 'delta:1',
    'delta_prometheus:1', 'deriv:1', 'deriv_fast:1', 'descent_over_time:1', 'distinct_over_time:1',
    'duration_over_time:2', 'first_over_time:1', 'geomean_over_time:1', 'histogram_over_time:1',
    'hoeffding_bound_lower:2', 'hoeffding_bound_upper:2', 'holt_winters:3', 'idelta:1', 'ideriv:1', 'increase:1',
    'increase_prometheus:1', 'increase_pure:1', 'increases_over_time:1', 'integrate:1', 'irate:1', 'lag:1',
    'last_over_time:1', 'lifetime:1', 'max_over_time:1', 'median_over_time:1', 'min_over_time:1', 'mode_over_time:1',
    'predict_linear:2', 'present_over_time:1', 'quantile_over_time:2', 'quantiles_over_time:3+', 'range_over_time:1',
    'rate:1', 'rate_over_sum:1', 'resets:1', 'rollup:1', 'rollup_candlestick:1', 'rollup_delta:1', 'rollup_deriv:1',
    'rollup_increase:1', 'rollup_rate:1', 'rollup_scrape_interval:1', 'scrape_interval:1', 'share_gt_over_time:2',
    'share_le_over_time:2', 'stale_samples_over_time:1', 'stddev_over_time:1', 'stdvar_over_time:1',
    'sum2_over_time:1', 'sum_over_time:1', 'tfirst_over_time:1', 'timestamp:1', 'timestamp_with_name:1',
    'tlast_change_over_time:1', 'tlast_over_time:1', 'tmax_over_time:1', 'tmin_over_time:1', 'zscore_over_time:1',
  ],
  transform: [
    'abs:1', 'absent:1', 'acos:1', 'acosh:1', 'alias:2', 'asin:1', 'asinh:1', 'atan:1', 'atanh:1', 'bitmap_and:2',
    'bitmap_or:2', 'bitmap_xor:2', 'buckets_limit:2', 'ceil:1', 'clamp:3', 'clamp_max:2', 'clamp_min:2', 'cos:1',
    'cosh:1', 'day_of_month:0-1', 'day_of_week:0-1', 'days_in_month:0-1', 'deg:1', 'drop_common_labels:1+', 'end:0',
    'exp:1', 'floor:1', 'histogram_avg:1', 'histogram_quantile:2-3', 'histogram_quantiles:3+', 'histogram_share:2-3',
    'histogram_stddev:1', 'histogram_stdvar:1', 'hour:0-1', 'interpolate:1', 'keep_last_value:1',
    'keep_next_value:1', 'label_copy:1+', 'label_del:1+', 'label_graphite_group:2+', 'label_join:3+',
    'label_keep:1+', 'label_lowercase:2+', 'label_map:2+', 'label_match:3', 'label_mismatch:3', 'label_move:1+',
    'label_replace:5', 'label_set:1+', 'label_transform:4', 'label_uppercase:2+', 'label_value:2', 'limit_offset:3',
    'ln:1', 'log10:1', 'log2:1', 'minute:0-1', 'month:0-1', 'now:0', 'pi:0', 'prometheus_buckets:1', 'rad:1',
    'rand:0-1', 'rand_exponential:0-1', 'rand_normal:0-1', 'range_avg:1', 'range_first:1', 'range_last:1',
    'range_max:1', 'range_median:1', 'range_min:1', 'range_quantile:2', 'range_sum:1', 'remove_resets:1',
    'round:1-2', 'ru:2', 'running_avg:1', 'running_max:1', 'running_min:1', 'running_sum:1', 'scalar:1', 'sgn:1',
    'sin:1', 'sinh:1', 'smooth_exponential:2', 'sort:1', 'sort_by_label:2+', 'sort_by_label_desc:2+', 'sort_desc:1',
    'sqrt:1', 'start:0', 'step:0', 'tan:1', 'tanh:1', 'time:0', 'timezone_offset:1', 'ttf:1', 'union:0+', 'vector:1',
    'year:0-1',
  ],
  aggregate: [
    'any:1+', 'avg:1+', 'bottomk:2', 'bottomk_avg:2-3', 'bottomk_last:2-3', 'bottomk_max:2-3', 'bottomk_median:2-3',
    'bottomk_min:2-3', 'count:1+', 'count_values:2', 'distinct:1+', 'geomean:1+', 'group:1+', 'histogram:1+',
    'limitk:2', 'mad:1+', 'max:1+', 'median:1+', 'min:1+', 'mode:1+', 'outliers_mad:2', 'outliersk:2', 'quantile:2',
    'quantiles:3+', 'stddev:1+', 'stdvar:1+', 'sum:1+', 'sum2:1+', 'topk:2', 'topk_avg:2-3', 'topk_last:2-3',
    'topk_max:2-3', 'topk_median:2-3', 'topk_min:2-3', 'zscore:1+',
  ],
};

function parseEntry(entry: string, kind: FunctionKind): [string, FunctionArity] {
  const [name, counts] = entry.split(':') as [string, string];
  if (counts.endsWith('+')) return [name, { kind, min: Number(counts.slice(0, -1)), max: Infinity }];
  const [min, max] = counts.split('-');
  return [name, { kind, min: Number(min), max: Number(max ?? min) }];
}

export const METRICSQL_FUNCTIONS: ReadonlyMap<string, FunctionArity> = new Map(
  (Object.keys(TABLE) as FunctionKind[]).flatMap((kind) => TABLE[kind].map((entry) => parseEntry(entry, kind))),
);

/** The function of that name (any case), or undefined. */
export function metricsqlFunction(name: string): FunctionArity | undefined {
  return METRICSQL_FUNCTIONS.get(name.toLowerCase());
}

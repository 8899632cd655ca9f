// The slice of autocannon's programmatic API the benchmarks use (the package ships no types and
// @types/autocannon is not a dependency).
declare module 'autocannon' {
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
    p99_9: number;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    headers?: Record<string, string>;
    method?: string;
    /** Return the raw per-run result (encoded histograms) for `aggregateResult`. */
    skipAggregateResult?: boolean;
  }
  /** A result from a run with `skipAggregateResult`: only for `aggregateResult`. */
  export interface RawResult {
    readonly __raw: unique symbol;
  }
  export interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  export interface Instance extends PromiseLike<Result> {
    stop(): void;
  }
  export interface RawInstance extends PromiseLike<RawResult> {
    stop(): void;
  }
  function autocannon(opts: Options & { skipAggregateResult: true }): RawInstance;
  function autocannon(opts: Options): Instance;
  namespace autocannon {
    /** Merges raw results: latency histograms exactly; `requests.total` is the sum of completed requests. */
    function aggregateResult(results: RawResult[], opts: { url: string; connections?: number }): Result;
  }
  export default autocannon;
}

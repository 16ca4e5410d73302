// What a benchmark exports for bench/run.ts.
export interface Bench {
  description: string;
  /** Runs the benchmark with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * Files known to take minutes, started first. Without a cache (a fresh clone, as in CI) vitest
 * starts larger files first, and these are small files that import a long suite: started last,
 * they ran alone on one worker for minutes while the other sat idle.
 */
const SLOW_FIRST = [
  "test/clickhouse/rollups.test.ts",
  "test/clickhouse/conformance.test.ts",
  "test/kpi/rollups.test.ts",
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = SLOW_FIRST.findIndex((slow) => file.moduleId.endsWith(slow));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // DuckDB is native and CLI tests spawn processes: forks isolate them, two at a time on 2 cores.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    sequence: { sequencer: SlowFirstSequencer },
  },
});

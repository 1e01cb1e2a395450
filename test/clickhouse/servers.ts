// The ClickHouse servers of the tests; the benchmark (`npm run bench -- --store clickhouse`) starts them too.
export * from "../../bench/clickhouse-server.js";

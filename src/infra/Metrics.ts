import { Metric } from "effect"

/**
 * The application's metrics, created once and exported through the OTel SDK
 * to Prometheus. Counters are `incremental` so they export as counters, not gauges.
 */
export const httpRequestDuration = Metric.histogram("http_server_request_duration_seconds", {
  description: "Duration of HTTP server requests by method, route template and status",
  boundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
})

/** An up-down counter: +1 when a request starts, -1 when it ends. */
export const httpInFlight = Metric.counter("http_server_active_requests", {
  description: "HTTP requests being served right now"
})

export const rateLimitRejections = Metric.counter("rate_limit_rejections_total", {
  description: "Requests refused with 429, by limit (ip, auth, user)",
  incremental: true
})

/** Catalog read cache, by `cache` (product, product_list, categories): served from the store. */
export const cacheHits = Metric.counter("cache_hits_total", {
  description: "Cache lookups answered from the store, by cache",
  incremental: true
})

export const cacheMisses = Metric.counter("cache_misses_total", {
  description: "Cache lookups that found no current entry, by cache",
  incremental: true
})

/** Loads actually run on a miss: concurrent misses of one key in one instance share a load. */
export const cacheLoads = Metric.counter("cache_loads_total", {
  description: "Queries run to fill the cache, by cache",
  incremental: true
})

export const ordersPlaced = Metric.counter("shop_orders_placed_total", {
  description: "Orders placed",
  incremental: true
})

export const ordersCancelled = Metric.counter("shop_orders_cancelled_total", {
  description: "Orders cancelled (by customers or admins)",
  incremental: true
})

export const orderValue = Metric.counter("shop_order_value_rupees_total", {
  description: "Sum of the total_amount of placed orders, in rupees",
  incremental: true
})

export const stockOuts = Metric.counter("shop_stock_outs_total", {
  description: "Checkouts refused because a product had too little stock",
  incremental: true
})

export const idempotencyKeysPurged = Metric.counter("shop_idempotency_keys_purged_total", {
  description: "Expired Idempotency-Key records (each with its stored response) deleted by the periodic purge",
  incremental: true
})

export const usersRegistered = Metric.counter("shop_users_registered_total", {
  description: "Accounts created through POST /api/auth/register",
  incremental: true
})

/** Named after OpenTelemetry's database client pool metrics (db.client.connections.*). */
export const dbConnectionsUsage = Metric.gauge("db_client_connections_usage", {
  description: "This process's pooled PostgreSQL connections by state (used, idle), read at scrape time"
})

export const dbConnectionsPending = Metric.gauge("db_client_connections_pending_requests", {
  description: "Statements and transactions of this process waiting for a pooled connection, read at scrape time"
})

export const dbConnectionsMax = Metric.gauge("db_client_connections_max", {
  description: "The most connections this process's pool opens (DB_POOL_MAX)"
})

export const dbConnectionsWait = Metric.histogram("db_client_connections_wait_time_seconds", {
  description: "Time a statement or transaction waited for a pooled connection",
  boundaries: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
})

export const dbLockWaits = Metric.gauge("db_client_lock_waits", {
  description: "This process's PostgreSQL sessions waiting on a row or table lock, read at scrape time"
})

/** Event loop delay since the previous scrape, named as prom-client names it. */
export const eventLoopLag = {
  p50: Metric.gauge("nodejs_eventloop_lag_p50_seconds", {
    description: "Median event loop delay since the last scrape"
  }),
  p99: Metric.gauge("nodejs_eventloop_lag_p99_seconds", {
    description: "99th percentile event loop delay since the last scrape"
  }),
  max: Metric.gauge("nodejs_eventloop_lag_max_seconds", {
    description: "Largest event loop delay since the last scrape"
  })
}

export const processMemory = Metric.gauge("process_memory_bytes", {
  description: "Process memory by kind (rss, heap_used, heap_total, external)"
})

export const processCpu = Metric.counter("process_cpu_seconds_total", {
  description: "User and system CPU time spent by the process",
  incremental: true
})

export const dbQueryDuration = Metric.histogram("db_client_query_duration_seconds", {
  description: "Duration of SQL statements, as the client sees them (queueing for a connection included)",
  boundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
})

/** Set only with DATABASE_READ_URL: 1 while reads use the replica, 0 while it is down, lagging or refused. */
export const dbReplicaUp = Metric.gauge("db_replica_up", {
  description: "1 while catalog and review reads use the read replica, 0 while they go to the primary instead"
})

export const dbReplicaLag = Metric.gauge("db_replica_lag_seconds", {
  description: "How long the read replica has been missing WAL the primary had (0 when it has replayed everything)"
})

/** Statements of the read client by the server that ran them (primary, replica). */
export const dbReadStatements = Metric.counter("db_read_statements_total", {
  description: "Catalog and review read statements by the server that ran them (replica, or primary)",
  incremental: true
})

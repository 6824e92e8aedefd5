/// The id of the request the current task serves, for every log line written
/// while serving it: set once per request (`AccessLogMiddleware`) and read
/// only when a line is written (`JSONLogHandler`). A task-local, not the
/// request logger's metadata: setting metadata copied the logger's storage
/// and its handler and filled a dictionary on every request, about 8,000
/// instructions, 3% of a tracking lookup's (`instructions_per_request.py`),
/// for lines that are mostly never written. Child tasks and unstructured
/// tasks started while serving see it — so the PostgreSQL enqueue batcher's
/// drain, started by one request, carries that request's id while it flushes
/// others' (open: `EnqueueBatcher`); the delivery workers never had one.
public enum RequestLogID {
    @TaskLocal public static var current: String?
}

/// The id of the request the current task serves, for every log line written
/// while serving it: set once per request (`FrontMiddleware`) and read
/// only when a line is written (`JSONLogHandler`). A task-local, not the
/// request logger's metadata: setting metadata copied the logger's storage
/// and its handler and filled a dictionary on every request, about 8,000
/// instructions, 3% of a tracking lookup's (`instructions_per_request.py`),
/// for lines that are mostly never written. Child tasks and unstructured
/// tasks started while serving see it, so work started by one request that
/// serves others clears it (the PostgreSQL enqueue batcher's drain); the
/// delivery workers never had one. In the core, with no I/O of its own, so
/// every adapter can clear it.
public enum RequestLogID {
    @TaskLocal public static var current: String?
}

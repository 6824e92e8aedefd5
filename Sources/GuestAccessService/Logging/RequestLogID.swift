/// The id of the request the current task serves, for every log line written
/// while serving it: set once per request (`AccessLogMiddleware`) and read
/// only when a line is written (`JSONLogHandler`). A task-local, not the
/// request logger's metadata: setting metadata copied the logger's storage
/// and its handler and filled a dictionary on every request, about 8,000
/// instructions, 3% of a tracking lookup's (`instructions_per_request.py`),
/// for lines that are mostly never written. Child tasks see it; work on
/// another task (the delivery workers) never had a request's id.
public enum RequestLogID {
    @TaskLocal public static var current: String?
}

import Logging
import ServiceLifecycle
import SortieService

/// Writes a buffered decision log's waiting lines every `flushInterval`, and once more when the
/// service group stops, so that a clean stop loses no line.
struct DecisionLogFlusher: Service, CustomStringConvertible {
    var description: String { "DecisionLogFlusher" }

    let log: DecisionLog
    let interval: Duration
    let logger: Logger

    func run() async {
        let (log, interval, logger) = (log, interval, logger)
        // The wait between flushes is cut short by the group's shutdown, not waited out.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                Self.flush(log, logger)
            }
        }
        Self.flush(log, logger)
    }

    private static func flush(_ log: DecisionLog, _ logger: Logger) {
        if let error = log.flush() {
            logger.error("decision log write failed", metadata: ["error": "\(error)", "path": "\(log.path)"])
        }
    }
}

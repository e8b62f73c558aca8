import Logging
import ServiceLifecycle

extension ConversationStore {
    /// Runs `body` while the store's services run, then stops them gracefully, in the order a
    /// service group stops them: for a store used without the HTTP server (tests, embedding).
    public func withServices<T: Sendable>(logger: Logger = Logger(label: "sortie.store"),
                                          _ body: @Sendable (Self) async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body(self)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

import Hummingbird

extension SortieServer {
    /// Every route the server registers, as `METHOD /path` with `{name}` for a path parameter
    /// (the form of an OpenAPI document's paths), sorted.
    ///
    /// Read from a Hummingbird router that `Routes.register` filled, the same call `application`
    /// makes, so a route cannot be served without being listed here.
    public var registeredRoutes: [String] {
        let router = Router(context: SortieRequestContext.self)
        routes.register(on: router)
        return router.routes.map { "\($0.method.rawValue) \($0.path)" }.sorted()
    }
}

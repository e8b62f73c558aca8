// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Sortie",
    platforms: [.macOS(.v15)],
    products: [
        // The engine other services embed: depends on the toolchain and libyaml only.
        .library(name: "Sortie", targets: ["Sortie"]),
        // The engine for C and Python callers (include/sortie.h): a shared library.
        .library(name: "SortieC", type: .dynamic, targets: ["SortieC"]),
        .executable(name: "sortie", targets: ["sortie"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The conversation service: HTTP, the SQLite store, lifecycle, logs and metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Several instances on one database.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        // TLS to PostgreSQL (postgres-nio's own dependency, named for its TLSConfiguration).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
        // Identity and access: JWT verification and signing, HMAC for signed webhooks.
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.0.0"),
        // Major 4: jwt-kit 5 asks for 4.1 or later.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.1.0"),
        // The server's authentication middleware and request context.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        // The channel gateway's HTTP client.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // libyaml, from Debian's libyaml-dev (pkg-config yaml-0.1).
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        // libyaml events -> positioned node tree, with Sortie's strict YAML rules.
        .target(name: "SortieYAML", dependencies: ["CLibYAML"]),
        // The engine: diagnostics, model, compiler stages, lint rules (and later the evaluator).
        .target(name: "Sortie", dependencies: ["SortieYAML"],
                exclude: ["Evaluator/Destination/country-calling-codes.txt", "Evaluator/Destination/country-time-zones.txt"]),
        // The C ABI over the engine alone.
        .target(name: "SortieC", dependencies: ["Sortie"]),
        // What the conversation service stores, as a protocol with one implementation per database.
        .target(name: "SortieStore", dependencies: [
            "Sortie",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The embedded default store: one SQLite file (GRDB, on Debian's libsqlite3).
        .target(name: "SortieSQLite", dependencies: [
            "SortieStore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The shared store for several instances: PostgreSQL through postgres-nio.
        .target(name: "SortiePostgres", dependencies: [
            "SortieStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The conversation service without HTTP: evaluate, then act on the store; reload; decision log.
        .target(name: "SortieService", dependencies: [
            "Sortie", "SortieStore", "SortieAccess",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            // HMAC-SHA256 for the redacted decision log, SHA-256 of the bodies idempotency keys are bound to.
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The dispatcher: pushes the outbox's messages to the channel gateway (AsyncHTTPClient).
        .target(name: "SortieGateway", dependencies: [
            "Sortie", "SortieStore", "SortieAccess",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // `sortie serve`: the service over HTTP (Hummingbird), with lifecycle, metrics and logs.
        .target(name: "SortieServer", dependencies: [
            "SortieService", "SortieSQLite", "SortiePostgres", "SortieAccess", "SortieGateway",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            // Its connection limit (MaximumAvailableConnections).
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Identity and access: bearer tokens (jwt-kit) and signed webhooks (swift-crypto's HMAC).
        .target(name: "SortieAccess", dependencies: [
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The verbs of the `sortie` command, testable in-process.
        .target(name: "SortieCLI", dependencies: [
            "Sortie", "SortieServer", "SortieAccess",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "sortie", dependencies: ["SortieCLI"]),
        // The dispatcher's benchmark (docs/benchmarks.md): built with the package so it cannot go stale.
        .executableTarget(name: "sortie-gateway-benchmark", dependencies: [
            "SortieServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "Benchmarks/gateway-dispatch"),
        // examples/: built with the package and run by a test, so it cannot go stale.
        .executableTarget(name: "sortie-embedding-example", dependencies: ["Sortie"], path: "examples/embedding"),

        .testTarget(name: "SortieYAMLTests", dependencies: ["SortieYAML"]),
        .testTarget(name: "SortieTests", dependencies: ["Sortie"], exclude: ["Fixtures"]),
        .testTarget(name: "SortieCLITests", dependencies: ["SortieCLI", "Sortie", "SortieAccess"], exclude: ["validate_sarif.py", "validate_policy_schema.py"]),
        .testTarget(name: "SortieAccessTests", dependencies: [
            "SortieAccess",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "SortieServerTests", dependencies: [
            "SortieServer", "SortieService", "SortieStore", "SortieSQLite", "SortiePostgres", "Sortie", "SortieAccess", "SortieGateway",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["validate_openapi.py"]),
    ],
    swiftLanguageModes: [.v6]
)

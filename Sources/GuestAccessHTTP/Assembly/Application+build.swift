import AsyncHTTPClient
import Configuration
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessProviders
import GuestAccessStorage
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the whole service from configuration: what `guest-access serve`
/// runs and what the tests start. Refuses to build, with a one-line
/// `StartupError`, on a bad policy, data directory, keyring or order source.
public func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "guest-access")
    logger.logLevel = reader.string(forKey: "log.level").flatMap(Logger.Level.init(rawValue:)) ?? .info
    let settings = try ServiceSettings(reader: reader)
    let policy = try PolicyLoader.load(settings.policyFile)
    try DataDirectory.check(settings.dataDirectory)

    let keyring: KeyringHolder
    do {
        keyring = try KeyringHolder(file: KeyringFile(dataDirectory: settings.dataDirectory), logger: logger)
    } catch {
        throw StartupError(error.description)
    }
    let database: GuestAccessDatabase
    do {
        database = try GuestAccessDatabase(
            path: URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent(GuestAccessDatabase.fileName).path,
            synchronous: policy.storage.synchronous)
    } catch {
        throw StartupError("cannot open the database in \(settings.dataDirectory): \(error)")
    }
    let adminKey = try AdminKey(settings.adminKey)
    var services: [any Service] = [KeyringReloader(holder: keyring, pollInterval: settings.keyringPollInterval)]

    let provider: ConfiguredOrderProvider
    switch settings.orders {
    case .file(let path):
        do { provider = .embedded(try EmbeddedOrderProvider(path: path)) } catch { throw StartupError(error.description) }
    case .http(let url, let credential):
        let client = HTTPOrderProvider.makeClient()
        services.append(HTTPClientService(client: client))
        provider = .http(
            HTTPOrderProvider(
                client: client, baseURL: url, credential: credential, timeoutSeconds: policy.provider.timeoutSeconds,
                maxResponseBytes: policy.provider.maxResponseBytes, logger: logger))
    }
    switch settings.mailer {
    case .file(let path)?:
        logger.warning(
            "DEVELOPMENT MAILER: one-time codes and full email addresses are written in clear to a local file; never use file: in production",
            metadata: ["mailer": "file", "path": "\(path)"])
    case .smtp?, .webhook?:
        throw StartupError("--mailer: smtp:// and webhook: delivery are not available in this version yet; use file:PATH for development")
    case nil:
        logger.warning("no mailer configured: one-time codes cannot be delivered")
    }

    let readiness = Readiness(checks: [{ await database.isReachable() }, { await provider.isReachable() }])
    services.append(ReadinessService(readiness: readiness))
    let router = buildRouter(
        policy: policy, store: SQLiteTrackingTokenStore(database: database), provider: provider,
        adminKey: adminKey, readiness: readiness, logger: logger)

    var http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(policy.http.idleTimeoutSeconds)))
    http1.httpDecoder = .init(
        maxHeaderFieldSize: policy.http.maxHeaderBytes * 2, maxHeaderListSize: policy.http.maxHeaderBytes * 2,
        maxHeaderFieldCount: policy.http.maxHeaderCount * 2)
    let startupLogger = logger
    return Application(
        router: router,
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
        services: services,
        onServerRunning: { channel in
            readiness.setStarted(true)
            startupLogger.info(
                "listening",
                metadata: ["host": "\(settings.host)", "port": "\(channel.localAddress?.port ?? settings.port)"])
        },
        logger: logger)
}

/// The routes and middleware, generic over the store and provider adapters.
func buildRouter<Store: TrackingTokenStore, Provider: OrderDetailProvider>(
    policy: Policy, store: Store, provider: Provider, adminKey: AdminKey, readiness: Readiness, logger: Logger
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(
        middleware: EdgeMiddleware(maxHeaderBytes: policy.http.maxHeaderBytes, maxHeaderCount: policy.http.maxHeaderCount, logger: logger))
    let clock = SystemWallClock()
    let tokens = TrackingTokens(store: store, clock: clock, ttlDays: policy.trackingTokens.ttlDays)
    let json = JSONRequest(maxBodyBytes: policy.http.maxBodyBytes, timeoutSeconds: policy.http.requestTimeoutSeconds)
    HealthController(readiness: readiness).addRoutes(to: router)
    TrackingController(tokens: tokens, provider: provider, logger: logger).addRoutes(to: router.group("/v1"))
    AdminController(tokens: tokens, store: store, provider: provider, json: json, clock: clock, logger: logger)
        .addRoutes(to: router.group("/v1/admin").add(middleware: AdminAuthMiddleware(key: adminKey)))
    return router
}

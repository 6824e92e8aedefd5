import AsyncHTTPClient
import Configuration
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessMail
import GuestAccessProviders
import GuestAccessStorage
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
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

    let metrics = ServiceMetrics()
    let keyring: KeyringHolder
    do {
        keyring = try KeyringHolder(file: KeyringFile(dataDirectory: settings.dataDirectory), logger: logger, metrics: metrics)
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

    let configured: ConfiguredOrderProvider
    switch settings.orders {
    case .file(let path):
        do { configured = .embedded(try EmbeddedOrderProvider(path: path)) } catch { throw StartupError(error.description) }
    case .http(let url, let credential):
        let client = HTTPOrderProvider.makeClient()
        services.append(HTTPClientService(client: client))
        configured = .http(
            HTTPOrderProvider(
                client: client, baseURL: url, credential: credential, timeoutSeconds: policy.provider.timeoutSeconds,
                maxResponseBytes: policy.provider.maxResponseBytes, logger: logger))
    }
    let provider = MeteredOrderProvider(configured, metrics: metrics)
    let mailer: (any Mailer)?
    switch settings.mailer {
    case .file(let path)?:
        logger.warning(
            "DEVELOPMENT MAILER: one-time codes and full email addresses are written in clear to a local file; never use file: in production",
            metadata: ["mailer": "file", "path": "\(path)"])
        mailer = FileMailer(path: path)
    case .smtp(let host, let port)?:
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.smtpCAFile { tls.trustRoots = .file(caFile) }
        mailer = SMTPMailer(
            host: host, port: port, from: settings.mailFrom, tls: tls, requireTLS: !settings.smtpAllowPlaintext,
            timeout: .seconds(policy.mail.timeoutSeconds))
        if settings.smtpAllowPlaintext {
            logger.warning("SMTP may send codes in clear when the server offers no STARTTLS (--smtp-allow-plaintext)")
        }
    case .webhook(let url)?:
        let client = HTTPOrderProvider.makeClient()
        services.append(HTTPClientService(client: client))
        mailer = WebhookMailer(
            url: url, secret: settings.webhookSecret ?? "", client: client, timeout: .seconds(policy.mail.timeoutSeconds))
    case nil:
        logger.warning("no mailer configured: one-time codes cannot be delivered")
        mailer = nil
    }

    let readiness = Readiness(checks: [{ await database.isReachable() }, { await provider.isReachable() }])
    services.append(ReadinessService(readiness: readiness))
    let stores = Stores(
        tracking: SQLiteTrackingTokenStore(database: database), codes: SQLiteAccessCodeStore(database: database),
        queue: SQLiteCodeRequestQueue(database: database), revocations: SQLiteAccessTokenRevocationStore(database: database))
    let clock = SystemWallClock()
    let trail = SQLiteAuditTrail(database: database)
    let audit = AuditLog(trail: trail, keyring: keyring, clock: clock, logger: logger, metrics: metrics)
    services.append(
        CodeDeliveryWorker(
            codes: stores.codes, queue: stores.queue, provider: provider, mailer: mailer, keyring: keyring, policy: policy,
            clock: clock, logger: logger, metrics: metrics, audit: audit))
    services.append(
        AuditRetentionService(
            trail: trail, queue: stores.queue, retentionDays: policy.audit.retentionDays, maxEvents: policy.audit.maxEvents, clock: clock,
            logger: logger))
    let router = buildRouter(
        policy: policy, stores: stores, provider: provider, keyring: keyring, adminKey: adminKey,
        clients: ClientAddress(trustedProxies: settings.trustedProxies), readiness: readiness, clock: clock, logger: logger,
        metrics: metrics, audit: audit)

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

/// The store adapters, generic so routes stay free of existentials.
struct Stores<Tracking: TrackingTokenStore, Codes: AccessCodeStore, Queue: CodeRequestQueue, Revocations: AccessTokenRevocationStore>:
    Sendable
{
    let tracking: Tracking
    let codes: Codes
    let queue: Queue
    let revocations: Revocations
}

/// The routes and middleware, generic over the store and provider adapters.
func buildRouter<Tracking, Codes, Queue, Revocations, Provider: OrderDetailProvider>(
    policy: Policy, stores: Stores<Tracking, Codes, Queue, Revocations>, provider: Provider, keyring: KeyringHolder,
    adminKey: AdminKey, clients: ClientAddress, readiness: Readiness, clock: any WallClock, logger: Logger, metrics: ServiceMetrics,
    audit: AuditLog
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(
        middleware: EdgeMiddleware(
            maxHeaderBytes: policy.http.maxHeaderBytes, maxHeaderCount: policy.http.maxHeaderCount, logger: logger, metrics: metrics))
    let tokens = TrackingTokens(store: stores.tracking, clock: clock, ttlDays: policy.trackingTokens.ttlDays)
    let json = JSONRequest(maxBodyBytes: policy.http.maxBodyBytes, timeoutSeconds: policy.http.requestTimeoutSeconds)
    let issuer = AccessTokenIssuer(policy: policy.accessTokens)
    HealthController(readiness: readiness).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)

    let guest = router.group("/v1").add(
        middleware: RateLimitMiddleware(
            limiter: RateLimiter(burst: policy.rateLimits.perClientBurst, perSecond: policy.rateLimits.perClientPerSecond),
            clients: clients, keys: ClientKey(ipv6PrefixLength: policy.rateLimits.ipv6PrefixLength), metrics: metrics))
    TrackingController(tokens: tokens, provider: provider, logger: logger).addRoutes(to: guest)
    AccessCodeController(
        codes: stores.codes, queue: stores.queue, provider: provider, keyring: keyring, issuer: issuer, json: json, policy: policy,
        clock: clock, logger: logger, metrics: metrics, audit: audit
    ).addRoutes(to: guest)
    GuestController(
        issuer: issuer, keyring: keyring, revocations: stores.revocations, orderRevocations: stores.tracking, provider: provider,
        clock: clock, logger: logger, metrics: metrics, audit: audit
    ).addRoutes(to: guest)
    MetricsController(metrics: metrics).addRoutes(to: router.group("/metrics").add(middleware: AdminAuthMiddleware(key: adminKey)))

    AdminController(
        tokens: tokens, store: stores.tracking, codes: stores.codes, provider: provider, json: json, clock: clock, logger: logger,
        audit: audit
    )
    .addRoutes(to: router.group("/v1/admin").add(middleware: AdminAuthMiddleware(key: adminKey)))
    return router
}

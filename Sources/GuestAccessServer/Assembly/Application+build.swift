import AsyncHTTPClient
public import Configuration
import Foundation
public import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP
import GuestAccessMail
import GuestAccessPages
import GuestAccessPolicy
import GuestAccessPostgres
import GuestAccessProviders
import GuestAccessService
import GuestAccessStorage
public import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Builds the whole service from configuration: what `guest-access serve`
/// runs and what the tests start. Refuses to build, with a one-line
/// `StartupError`, on a bad policy, data directory, keyring or order source.
/// `clock` is the wall clock the use cases read; tests pass a skewed one to stand for a replica
/// whose clock runs ahead or behind.
public func buildApplication(reader: ConfigReader, clock: any WallClock = SystemWallClock()) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    var logger = Logger(label: "guest-access")
    logger.logLevel = settings.logLevel
    let policy = try settings.preflight()
    for warning in settings.warnings { logger.warning("\(warning)") }

    let prometheus = PrometheusMetrics()
    let metrics = prometheus.metrics
    let keyring: KeyringHolder
    do {
        keyring = try KeyringHolder(file: KeyringFile(dataDirectory: settings.dataDirectory), logger: logger, metrics: metrics)
    } catch {
        throw StartupError(error.description)
    }
    let storage: ChosenStorage
    switch settings.database {
    case .sqlite(let path):
        do {
            storage = .sqlite(try GuestAccessDatabase(path: path, synchronous: policy.storage.synchronous))
        } catch {
            throw StartupError("cannot open the database \(path): \(error)")
        }
    case .postgres(let postgres, let password):
        do {
            try await PostgresDatabase.migrate(settings: postgres, password: password, logger: logger)
            storage = .postgres(try PostgresDatabase(settings: postgres, password: password, logger: logger))
        } catch {
            throw StartupError("cannot use the PostgreSQL database \(postgres.database) on \(postgres.host):\(postgres.port): \(error)")
        }
    }
    let adminKey: AdminKey
    do { adminKey = try AdminKey(settings.adminKey) } catch { throw StartupError(error.description) }
    var services: [any Service] = []
    // Services stop in reverse order: the database pool stops last.
    if case .postgres(let database) = storage { services.append(database) }
    services.append(KeyringReloader(holder: keyring, pollInterval: settings.keyringPollInterval))

    let configured: ConfiguredOrderProvider
    switch settings.orders {
    case .file(let path):
        do { configured = .embedded(try EmbeddedOrderProvider(path: path)) } catch { throw StartupError(error.description) }
    case .http(let url, let credential):
        let client = HTTPOrderProvider.makeClient()
        services.append(HTTPClientService(client: client))
        configured = .http(
            HTTPOrderProvider(
                client: client,
                baseURL: url,
                credential: credential,
                timeoutSeconds: policy.provider.timeoutSeconds,
                maxResponseBytes: policy.provider.maxResponseBytes,
                logger: logger
            )
        )
    }
    let provider = MeteredOrderProvider(configured, metrics: metrics)
    let mailer: (any Mailer)?
    switch settings.mailer {
    case .file(let path)?:
        logger.warning(
            "DEVELOPMENT MAILER: one-time codes and full email addresses are written in clear to a local file; never use file: in production",
            metadata: ["mailer": "file", "path": "\(path)"]
        )
        mailer = FileMailer(path: path)
    case .smtp(let host, let port, let security)?:
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.smtpCAFile { tls.trustRoots = .file(caFile) }
        mailer = SMTPMailer(
            host: host,
            port: port,
            from: settings.mailFrom,
            tls: tls,
            requireTLS: !settings.smtpAllowPlaintext,
            security: security,
            credentials: settings.smtpCredentials,
            composer: try BrandedCodeEmail(branding: settings.branding),
            timeout: .seconds(policy.mail.timeoutSeconds)
        )
        if settings.smtpAllowPlaintext {
            logger.warning("SMTP may send codes in clear when the server offers no STARTTLS (--smtp-allow-plaintext)")
        }
    case .webhook(let url)?:
        let client = HTTPOrderProvider.makeClient()
        services.append(HTTPClientService(client: client))
        mailer = WebhookMailer(
            url: url,
            secret: settings.webhookSecret ?? "",
            client: client,
            timeout: .seconds(policy.mail.timeoutSeconds)
        )
    case nil:
        logger.warning("no mailer configured: one-time codes cannot be delivered")
        mailer = nil
    }

    if let mailer { logger.info("mailer configured", metadata: ["mailer": "\(mailer.kind)"]) }
    let readiness = Readiness(checks: [{ await storage.isReachable() }, { await provider.isReachable() }])
    services.append(ReadinessService(readiness: readiness))
    let router: ServiceRoutes
    switch storage {
    case .sqlite(let database):
        router = try assemble(
            stores: SQLiteStores(database: database),
            provider: provider,
            mailer: mailer,
            keyring: keyring,
            policy: policy,
            clock: clock,
            settings: settings,
            adminKey: adminKey,
            readiness: readiness,
            metrics: metrics,
            renderMetrics: { prometheus.render() },
            logger: logger,
            services: &services
        )
    case .postgres(let database):
        router = try assemble(
            stores: PostgresStores(database: database),
            provider: provider,
            mailer: mailer,
            keyring: keyring,
            policy: policy,
            clock: clock,
            settings: settings,
            adminKey: adminKey,
            readiness: readiness,
            metrics: metrics,
            renderMetrics: { prometheus.render() },
            logger: logger,
            services: &services
        )
    }

    var http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(policy.http.idleTimeoutSeconds)))
    http1.httpDecoder = .init(
        maxHeaderFieldSize: policy.http.maxHeaderBytes * 2,
        maxHeaderListSize: policy.http.maxHeaderBytes * 2,
        maxHeaderFieldCount: policy.http.maxHeaderCount * 2
    )
    let startupLogger = logger
    if let operations = settings.operations {
        let opsCredential: AdminKey?
        do { opsCredential = try operations.credential.map(AdminKey.init) } catch {
            throw StartupError("operations credential: \(error)")
        }
        let opsRouter = buildOperationsRouter(
            readiness: readiness,
            credential: opsCredential,
            renderMetrics: { prometheus.render() }
        )
        // Before the public server in the list: it stops after it.
        services.append(
            Application(
                router: opsRouter,
                server: .http1(configuration: http1),
                configuration: .init(address: .hostname(operations.host, port: operations.port), serverName: nil),
                onServerRunning: { channel in
                    startupLogger.info(
                        "operations listener up (/healthz, /readyz, /metrics)",
                        metadata: ["host": "\(operations.host)", "port": "\(channel.localAddress?.port ?? operations.port)"]
                    )
                },
                logger: logger
            )
        )
    }
    return Application(
        router: router,
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
        services: services,
        onServerRunning: { channel in
            readiness.setStarted(true)
            startupLogger.info(
                "listening",
                metadata: ["host": "\(settings.host)", "port": "\(channel.localAddress?.port ?? settings.port)"]
            )
        },
        logger: logger
    )
}

/// The use cases over one backend's stores, their background services, and the routes.
private func assemble<Stores: GuestAccessStores, Provider: OrderDetailProvider>(
    stores: Stores,
    provider: Provider,
    mailer: (any Mailer)?,
    keyring: KeyringHolder,
    policy: Policy,
    clock: any WallClock,
    settings: ServiceSettings,
    adminKey: AdminKey,
    readiness: Readiness,
    metrics: ServiceMetrics,
    renderMetrics: @escaping @Sendable () -> [UInt8],
    logger: Logger,
    services: inout [any Service]
) throws -> ServiceRoutes {
    let app = GuestAccess(
        stores: stores,
        provider: provider,
        mailer: mailer,
        keyring: keyring,
        policy: policy,
        clock: clock,
        metrics: metrics,
        logger: logger
    )
    services.append(BackgroundService { await app.deliverCodes.run() })
    services.append(BackgroundService { await app.pruneRecords.run() })
    let pages =
        settings.pagesEnabled
        ? try PagesController(
            app,
            settings: PagesSettings(
                branding: settings.branding,
                codeLifetimeSeconds: policy.codes.ttlSeconds,
                publicOrigin: settings.publicOrigin
            ),
            adminKey: settings.adminKey
        ) : nil
    return buildRouter(
        app,
        policy: policy,
        adminKey: adminKey,
        clients: ClientAddress(trustedProxies: settings.trustedProxies),
        readiness: readiness,
        metrics: metrics,
        renderMetrics: settings.operations == nil ? renderMetrics : nil,
        corsOrigins: settings.corsOrigins,
        addPages: pages.map { pages in { router, limits in pages.add(to: router, limits: limits) } }
    )
}

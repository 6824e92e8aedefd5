public import GuestAccessCore
public import Logging

/// guest-access's use cases, built once from the same parts. A controller
/// holds this and calls one use case per request; the assembly starts the
/// background ones (`deliverCodes`, `pruneRecords`) as services.
public struct GuestAccess<Stores: GuestAccessStores, Provider: OrderDetailProvider>: Sendable {
    public let requestCode: RequestCode<Stores.Queue>
    public let verifyCode: VerifyCode<Stores.Codes, Provider>
    public let trackOrder: TrackOrder<Stores.Tracking, Provider>
    public let readOrder: ReadOrder<Stores.Revocations, Provider>
    public let signOut: SignOut<Stores.Revocations>
    public let mintTrackingToken: MintTrackingToken<Stores.Tracking, Provider>
    public let revokeOrder: RevokeOrder<Stores.Codes>
    /// Works through the code-request queue (a service: run it).
    public let deliverCodes: CodeDeliveryWorker<Stores.Codes, Stores.Queue, Provider>
    /// Deletes audit events and finished requests past retention (a service: run it).
    public let pruneRecords: AuditRetentionService

    /// `mailer` nil: requests are recorded and end as `no-mailer`.
    public init(
        stores: Stores,
        provider: Provider,
        mailer: (any Mailer)?,
        keyring: KeyringHolder,
        policy: Policy,
        clock: any WallClock,
        metrics: ServiceMetrics,
        logger: Logger
    ) {
        let audit = AuditLog(trail: stores.audit, keyring: keyring, clock: clock, logger: logger, metrics: metrics)
        let orders = OrderLookup(provider: provider)
        let issuer = AccessTokenIssuer(policy: policy.accessTokens)
        let tokens = TrackingTokens(store: stores.tracking, clock: clock, ttlDays: policy.trackingTokens.ttlDays)
        let authenticator = AccessTokenAuthenticator(
            issuer: issuer,
            keyring: keyring,
            revocations: stores.revocations,
            clock: clock,
            metrics: metrics
        )
        let work = WorkSignal()
        requestCode = RequestCode(queue: stores.queue, work: work, keyring: keyring, clock: clock, metrics: metrics, audit: audit)
        verifyCode = VerifyCode(
            codes: stores.codes,
            provider: provider,
            keyring: keyring,
            issuer: issuer,
            policy: policy,
            clock: clock,
            metrics: metrics,
            audit: audit
        )
        trackOrder = TrackOrder(tokens: tokens, orders: orders)
        readOrder = ReadOrder(authenticator: authenticator, orders: orders)
        signOut = SignOut(authenticator: authenticator, revocations: stores.revocations, clock: clock, audit: audit)
        mintTrackingToken = MintTrackingToken(tokens: tokens, orders: orders, audit: audit)
        revokeOrder = RevokeOrder(codes: stores.codes, clock: clock, audit: audit)
        deliverCodes = CodeDeliveryWorker(
            codes: stores.codes,
            queue: stores.queue,
            provider: provider,
            mailer: mailer,
            keyring: keyring,
            policy: policy,
            clock: clock,
            work: work,
            logger: logger,
            metrics: metrics,
            audit: audit
        )
        pruneRecords = AuditRetentionService(
            trail: stores.audit,
            queue: stores.queue,
            retentionDays: policy.audit.retentionDays,
            maxEvents: policy.audit.maxEvents,
            clock: clock,
            logger: logger
        )
    }
}
